/**
 * The demo page served at GET /: plain HTML, CSS and a small script, no build.
 * It only calls the public API (the same URLs docs/api.md shows) and, to draw in
 * the browser, /client.js through /draw-worker.js, so it doubles as a worked
 * example. Steps, guidance and sampler start empty and are filled from GET
 * /model (the default request's settings and the API's limits), so the page
 * never offers defaults other than the Worker's; guidance follows the steps
 * until the visitor changes it (GET /model's guidanceBySteps: a set may default
 * long runs otherwise). The hand's sliders (slant, thickness) take their ranges
 * from it too, and left on "any" add nothing to a request, which is then the
 * one the page sent before it had them. Inline
 * script: keep it free of backticks and ${…}, since it lives inside a template
 * literal.
 */
export const PAGE_HTML = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edge diffusion digits</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
  body { margin: 0 auto; max-width: 62rem; padding: 1rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
  fieldset { border: 1px solid #8887; border-radius: .5rem; margin: 0 0 1rem; padding: .75rem; }
  .row { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: end; margin: .5rem 0; }
  .field { display: flex; flex-direction: column; gap: .2rem; }
  label { font-size: .9rem; }
  label.inline { display: flex; align-items: center; gap: .4rem; }
  input, select, button { font: inherit; min-height: 2.75rem; }
  input[type=number] { width: 7.5rem; }
  button { padding: 0 1rem; cursor: pointer; }
  .pics { display: flex; flex-wrap: wrap; gap: 1rem; }
  figure { margin: 0; width: min(280px, 42vw); }
  img:not([src]) { visibility: hidden; }
  figcaption { font-size: .85rem; }
  .pic { display: block; width: 100%; height: auto; aspect-ratio: 1; background: #000; image-rendering: pixelated; }
  .stack { position: relative; }
  .stack img { width: 100%; height: 100%; image-rendering: pixelated; }
  .stack canvas { position: absolute; inset: 0; width: 100%; height: 100%; opacity: .55; touch-action: none; cursor: crosshair; }
  fieldset fieldset { margin: .5rem 0; }
  .label-line { display: flex; justify-content: space-between; gap: .5rem; }
  input[type=range] { width: 11rem; min-height: 1.75rem; }
  input[type=range][aria-valuetext=any] { opacity: .5; }
  .hint { font-size: .85rem; margin: .25rem 0; }
  #number { width: 10rem; }
  #number-figure { width: auto; margin-top: 1rem; }
  #number-png { display: block; max-width: 100%; height: auto; background: #000; image-rendering: pixelated; }
  #status { min-height: 1.5rem; font-weight: 600; }
  #step-times { font-size: .85rem; overflow-wrap: anywhere; }
</style>
</head>
<body>
<h1>Edge diffusion digits</h1>
<p>A class-conditional diffusion model drawing MNIST digits, run per request on a Cloudflare Worker. Or in your browser, with the same weights and the same pixels. <a href="/model">What is being served</a> · <a href="/docs">API docs</a>.</p>

<form id="generate">
  <fieldset>
    <legend>Generate a digit</legend>
    <div class="row">
      <div class="field"><label for="digit">Digit</label><select id="digit"></select></div>
      <div class="field"><label for="steps">Steps</label><input id="steps" type="number" min="1" inputmode="numeric" required></div>
      <div class="field"><label for="seed">Seed</label><input id="seed" type="number" min="0" max="4294967295" value="42" inputmode="numeric" required></div>
      <div class="field"><label for="guidance">Guidance</label><input id="guidance" type="number" min="0" step="any" inputmode="decimal" required></div>
      <div class="field"><label for="sampler">Sampler</label><select id="sampler" required><option value="" disabled selected>loading…</option><option value="ddim">DDIM</option><option value="dpmpp">DPM-Solver++ (2M)</option></select></div>
      <button type="submit">Generate</button>
    </div>
    <fieldset id="hand" disabled aria-describedby="hand-help">
      <legend>Hand</legend>
      <div class="row">
        <div class="field">
          <div class="label-line"><label for="slant">Slant</label><output id="slant-value" for="slant">any</output></div>
          <input id="slant" type="range" step="0.001" aria-valuetext="any">
          <label class="inline"><input id="slant-any" type="checkbox" checked> Any slant</label>
        </div>
        <div class="field">
          <div class="label-line"><label for="thickness">Thickness</label><output id="thickness-value" for="thickness">any</output></div>
          <input id="thickness" type="range" step="0.001" aria-valuetext="any">
          <label class="inline"><input id="thickness-any" type="checkbox" checked> Any thickness</label>
        </div>
        <div class="field"><label for="number">Number</label><input id="number" type="text" inputmode="numeric" pattern="[0-9]{1,16}" maxlength="16" placeholder="e.g. 2026" autocomplete="off" title="1 to 16 digits" aria-describedby="number-help"></div>
        <div class="field"><label for="spacing">Spacing</label><select id="spacing"><option value="cells" selected>Cells</option><option value="natural">Natural</option></select></div>
      </div>
      <p id="hand-help" class="hint">How the digit is written, within the range the training digits cover (GET /model): slant leans it left (−) or right (+), thickness is the stroke width in pixels at 28×28. <em>Any</em> leaves it out; one alone is completed with its most typical partner.</p>
      <p id="number-help" class="hint">A number of 1 to 16 digits is written on the edge in one hand (GET /number), instead of the digit, each in its own cell or packed by the ink (natural); with both on <em>any</em> the seed picks the hand.</p>
    </fieldset>
    <div class="row" role="radiogroup" aria-label="Where to draw">
      <label class="inline"><input type="radio" name="where" value="edge" checked> Draw on the edge (the Worker)</label>
      <label class="inline"><input type="radio" name="where" value="local"> Draw in this browser (/client.js)</label>
    </div>
  </fieldset>
</form>
<div class="pics">
  <figure class="edge"><img id="png" class="pic" alt="No digit yet" width="280" height="280"><figcaption>The PNG</figcaption></figure>
  <figure class="edge"><img id="apng" class="pic" alt="No animation yet" width="280" height="280"><figcaption>Sampling, one frame per step</figcaption></figure>
  <figure class="local" hidden>
    <canvas id="local" class="pic" width="28" height="28" role="img" aria-label="The digit drawn in this browser, painted after every step"></canvas>
    <figcaption id="local-caption">Drawn in this browser: x̂₀ after every step</figcaption>
  </figure>
</div>
<figure id="number-figure" hidden>
  <img id="number-png" alt="No number yet">
  <figcaption>Written in the hand <output id="number-style"></output> <button type="button" id="keep-hand">Use this hand</button></figcaption>
</figure>
<p id="step-times" class="local" hidden></p>

<h2>Inpaint</h2>
<p id="mask-help">Draw over the digit above to mark what to regenerate, or use a button; then choose what to draw there.</p>
<div class="pics">
  <figure>
    <div class="stack pic">
      <img id="source" alt="The generated digit, to be inpainted">
      <canvas id="mask" width="280" height="280" role="img" aria-label="Mask: drawn strokes mark the region to regenerate" aria-describedby="mask-help"></canvas>
    </div>
    <figcaption>Mask over the digit</figcaption>
  </figure>
  <figure><img id="inpainted" class="pic" alt="No inpainting yet" width="280" height="280"><figcaption>Inpainted</figcaption></figure>
</div>
<div class="row">
  <button type="button" id="mask-top">Mask top half</button>
  <button type="button" id="mask-bottom">Mask bottom half</button>
  <button type="button" id="mask-clear">Clear mask</button>
</div>
<div class="row">
  <div class="field"><label for="inpaint-digit">Draw in the mask</label><select id="inpaint-digit"></select></div>
  <label class="inline" for="resample"><input id="resample" type="checkbox"> RePaint resampling (3×, DDIM)</label>
  <button type="button" id="inpaint">Inpaint</button>
</div>

<h2>Restyle</h2>
<div class="row">
  <div class="field"><label for="file">A PNG to restyle (none: the digit above)</label><input id="file" type="file" accept="image/png"></div>
  <div class="field"><label for="to">Turn it into</label><select id="to"></select></div>
  <div class="field"><label for="strength">Strength</label><input id="strength" type="range" min="0" max="1" step="0.05" value="0.6"></div>
  <output id="strength-value" for="strength">0.60</output>
  <button type="button" id="restyle">Restyle</button>
</div>
<figure><img id="restyled" class="pic" alt="No restyled picture yet" width="280" height="280"><figcaption>Restyled</figcaption></figure>

<p id="status" role="status" aria-live="polite"></p>

<script>
"use strict";
var $ = function (id) { return document.getElementById(id); };
["digit", "inpaint-digit", "to"].forEach(function (id) {
  for (var d = 0; d < 10; d++) $(id).add(new Option(String(d), String(d)));
});
$("digit").value = "3";
$("inpaint-digit").value = "8";
$("to").value = "8";

var source = null; // the generated PNG's bytes: what Inpaint and Restyle start from
var say = function (text) { $("status").textContent = text; };

// The default steps, guidance and sampler are those of the set that draws the request (GET
// /model's guidanceBySteps and weightSets): in a given hand, a slider set or a number, the hand
// set (sampling.hand); otherwise the plain set its steps pick.
// Until the visitor changes one, its field shows the default of what is asked for.
var guidanceSpans = [];
var weightSets = [];
var plainSteps = null; // the default request's steps
var handSet = null; // the set that draws every request in a hand, if one is served
var shown = { steps: null, guidance: null, sampler: null }; // the defaults the fields were last given
function inHand() { return handQuery() !== "" || $("number").value !== ""; }
function spanOfSteps() {
  var steps = Number($("steps").value);
  var hand = inHand() && handSet !== null;
  return guidanceSpans.find(function (g) { return Boolean(g.hand) === hand && steps >= g.steps[0] && steps <= g.steps[1]; });
}
var defaults = {
  steps: function () { return inHand() && handSet ? String(handSet.sampling.defaultSteps) : plainSteps; },
  guidance: function () {
    var span = spanOfSteps();
    if (!span) return null;
    return String(span.defaultGuidance);
  },
  sampler: function () {
    var span = spanOfSteps();
    var set = span && weightSets.find(function (w) { return w.name === span.weightSet; });
    if (!set) return null;
    return set.sampling.defaultSampler;
  },
};
function follow(field) {
  var next = defaults[field]();
  if (next !== null && $(field).value === shown[field]) $(field).value = shown[field] = next;
}
function followSteps() { follow("guidance"); follow("sampler"); }
function followDefaults() { follow("steps"); followSteps(); }
$("steps").addEventListener("input", followSteps);
$("number").addEventListener("input", followDefaults);

// The default request's settings and the API's limits, from the Worker itself. A field the
// visitor already filled keeps its value.
fetch("/model").then(function (res) {
  if (!res.ok) throw new Error(res.status + " " + res.statusText);
  return res.json();
}).then(function (model) {
  var s = model.sampling;
  $("steps").max = s.maxSteps;
  $("guidance").max = s.maxGuidance;
  plainSteps = String(s.defaultSteps);
  weightSets = model.weightSets;
  handSet = weightSets.find(function (set) { return set.sampling.hand; }) || null;
  if ($("steps").value === "") $("steps").value = shown.steps = defaults.steps();
  guidanceSpans = model.guidanceBySteps;
  if ($("guidance").value === "") $("guidance").value = shown.guidance = defaults.guidance() || String(s.defaultGuidance);
  setUpHand(model.weightSets);
  if ($("sampler").value === "") $("sampler").value = shown.sampler = defaults.sampler() || s.defaultSampler;
}).catch(function (err) { say("Error: could not read the defaults from /model: " + err.message); });

// The hand: each descriptor's slider spans the range GET /model gives the first weight set with style
// inputs (the training digits' 1st to 99th percentiles) and starts at their median. One on "any" is
// left out of the query, so with both on "any" every request is exactly what it was without a hand.
var DESCRIPTORS = ["slant", "thickness"];
function setUpHand(sets) {
  var styled = sets.find(function (set) { return set.style; });
  if (!styled) {
    $("hand-help").textContent = "The served weights have no style inputs: they draw no given hand, and no number.";
    return;
  }
  DESCRIPTORS.forEach(function (d) {
    var about = styled.style.descriptors[d];
    $(d).min = about.range[0];
    $(d).max = about.range[1];
    $(d).value = about.percentiles.p50;
    $(d).title = about.meaning + " (" + about.unit + ")";
  });
  $("hand").disabled = false;
}
function showHand(d) {
  var any = $(d + "-any").checked;
  $(d + "-value").value = any ? "any" : $(d).value;
  if (any) $(d).setAttribute("aria-valuetext", "any"); else $(d).removeAttribute("aria-valuetext");
  followDefaults();
}
DESCRIPTORS.forEach(function (d) {
  // Moving a slider asks for its value; "any" lets it go again.
  $(d).addEventListener("input", function () { $(d + "-any").checked = false; showHand(d); });
  $(d + "-any").addEventListener("change", function () { showHand(d); });
});
function handQuery() {
  var q = new URLSearchParams();
  DESCRIPTORS.forEach(function (d) { if (!$(d + "-any").checked) q.set(d, $(d).value); });
  var text = String(q);
  return text ? "&" + text : "";
}
function handOptions() {
  var options = {};
  DESCRIPTORS.forEach(function (d) { if (!$(d + "-any").checked) options[d] = Number($(d).value); });
  return options;
}
// "slant=0.103, thickness=2.386" (an answer's X-Style) onto the sliders.
function useHand(style) {
  style.split(",").forEach(function (part) {
    var kv = part.trim().split("=");
    if (DESCRIPTORS.indexOf(kv[0]) < 0) return;
    $(kv[0]).value = kv[1];
    $(kv[0] + "-any").checked = false;
    showHand(kv[0]);
  });
}

function where() { return document.querySelector("input[name=where]:checked").value; }
document.querySelectorAll("input[name=where]").forEach(function (radio) {
  radio.addEventListener("change", function () {
    document.querySelectorAll(".edge").forEach(function (el) { el.hidden = where() !== "edge"; });
    document.querySelectorAll(".local").forEach(function (el) { el.hidden = where() !== "local"; });
    if (where() === "local") startDrawer(); // /client.js starts loading the model on import: the first draw waits less
  });
});

function sampling() {
  return new URLSearchParams({ steps: $("steps").value, seed: $("seed").value, guidance: $("guidance").value, sampler: $("sampler").value });
}

// Any API error arrives as { error, detail }: show the detail.
async function call(url, init) {
  var res = await fetch(url, init);
  if (!res.ok) {
    var body = await res.json().catch(function () { return {}; });
    throw new Error(body.detail || res.status + " " + res.statusText);
  }
  return res;
}

function show(img, blob, alt) {
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(blob);
  img.alt = alt;
}

async function run(label, task) {
  say(label + "…");
  try { say(await task()); } catch (err) { say("Error: " + err.message); }
}

$("generate").addEventListener("submit", function (event) {
  event.preventDefault();
  var d = $("digit").value, q = sampling(), digits = $("number").value;
  if (digits) return run("Writing " + digits, function () { return writeNumber(digits, q); });
  if (where() === "local") return run("Drawing a " + d + " in this browser", function () { return drawHere(d); });
  run("Drawing a " + d, async function () {
    var res = await call("/digit/" + d + ".png?" + q + "&size=280" + handQuery());
    var style = res.headers.get("X-Style");
    source = await res.blob();
    show($("png"), source, "A generated handwritten " + d + " (seed " + res.headers.get("X-Seed") + ")");
    show($("source"), source, "The generated " + d + ", to be inpainted");
    clearMask();
    $("apng").src = "/digit/" + d + ".apng?" + q + handQuery();
    $("apng").alt = "The " + d + " forming from noise, one frame per sampler step";
    return "Drew a " + d + " with seed " + res.headers.get("X-Seed") + (style ? " in the hand " + style : "") + ".";
  });
});

// A number in one hand, on the edge: GET /number with the same sampling, the hand and the spacing,
// 112 px high (the route allows 28 to 128). X-Style names the hand it was written in, given or drawn.
async function writeNumber(digits, q) {
  var res = await call("/number/" + digits + ".png?" + q + "&size=112&spacing=" + $("spacing").value + handQuery());
  var style = res.headers.get("X-Style"), seed = res.headers.get("X-Seed");
  show($("number-png"), await res.blob(), digits + " handwritten in one hand: " + style + ", seed " + seed);
  $("number-style").value = style;
  $("number-figure").hidden = false;
  return "Wrote " + digits + " with seed " + seed + " in the hand " + style + ".";
}
$("keep-hand").addEventListener("click", function () { useHand($("number-style").value); });

// Drawing in this browser: /draw-worker.js runs drawDigit from /client.js off this thread and posts
// every step's x̂₀ as soon as it is computed; each is painted on arrival. Answers carry their
// request's id, so a draw started before the last one finished cannot mix their frames.
var drawer = null, drawId = 0;
function startDrawer() { drawer = drawer || new Worker("/draw-worker.js", { type: "module" }); }
function drawInWorker(request, onStep) {
  startDrawer();
  var id = ++drawId;
  return new Promise(function (resolve, reject) {
    drawer.onmessage = function (e) {
      var m = e.data;
      if (m.id !== id) return;
      if (m.type === "step") onStep(m.frame);
      else if (m.type === "done") resolve(m.digit);
      else reject(new Error(m.message));
    };
    drawer.onerror = function (e) { drawer = null; reject(new Error(e.message || "the drawing worker (/draw-worker.js) failed to start")); };
    drawer.postMessage(Object.assign({ id: id }, request));
  });
}

function paint(image) {
  var g = $("local").getContext("2d"), out = g.createImageData(image.width, image.height);
  for (var i = 0; i < image.pixels.length; i++) {
    out.data[4 * i] = out.data[4 * i + 1] = out.data[4 * i + 2] = image.pixels[i];
    out.data[4 * i + 3] = 255;
  }
  g.putImageData(out, 0, 0);
}

// The local digit at 280 px (nearest neighbour, as the edge's size=280), to inpaint or restyle.
function localPng() {
  var big = document.createElement("canvas");
  big.width = big.height = 280;
  var g = big.getContext("2d");
  g.imageSmoothingEnabled = false;
  g.drawImage($("local"), 0, 0, 280, 280);
  return new Promise(function (resolve) { big.toBlob(resolve, "image/png"); });
}

async function drawHere(d) {
  var started = performance.now(), times = [];
  $("step-times").textContent = "";
  var request = Object.assign({ digit: Number(d), seed: Number($("seed").value), steps: Number($("steps").value), guidance: Number($("guidance").value), sampler: $("sampler").value }, handOptions());
  var digit = await drawInWorker(request, function (frame) {
    paint(frame);
    times.push(frame.ms.toFixed(1));
    $("local-caption").textContent = "x̂₀ after step " + frame.step + " of " + frame.steps + " (" + frame.ms.toFixed(1) + " ms)";
  });
  var total = performance.now() - started;
  paint(digit);
  $("step-times").textContent = "ms per step: " + times.join(", ");
  source = await localPng();
  show($("source"), source, "The " + d + " drawn in this browser, to be inpainted");
  clearMask();
  var hand = digit.style ? " in the hand slant=" + digit.style.slant + ", thickness=" + digit.style.thickness : "";
  return "Drew a " + d + " with seed " + digit.seed + hand + " in this browser (" + digit.backend + "): " + digit.steps + " steps in " + Math.round(total) + " ms.";
}

// The mask: white strokes on a transparent canvas, sent as white on black.
var mask = $("mask"), pen = mask.getContext("2d"), drawing = false;
function clearMask() { pen.clearRect(0, 0, mask.width, mask.height); }
function fillMask(y0, y1) { pen.fillStyle = "#fff"; pen.fillRect(0, y0 * mask.height, mask.width, (y1 - y0) * mask.height); }
function stroke(event) {
  var box = mask.getBoundingClientRect();
  pen.fillStyle = "#fff";
  pen.beginPath();
  pen.arc((event.clientX - box.left) * mask.width / box.width, (event.clientY - box.top) * mask.height / box.height, 18, 0, 2 * Math.PI);
  pen.fill();
}
mask.addEventListener("pointerdown", function (e) { drawing = true; mask.setPointerCapture(e.pointerId); stroke(e); });
mask.addEventListener("pointermove", function (e) { if (drawing) stroke(e); });
["pointerup", "pointercancel"].forEach(function (type) { mask.addEventListener(type, function () { drawing = false; }); });
$("mask-top").addEventListener("click", function () { fillMask(0, 0.5); });
$("mask-bottom").addEventListener("click", function () { fillMask(0.5, 1); });
$("mask-clear").addEventListener("click", clearMask);

function maskPng() {
  var flat = document.createElement("canvas");
  flat.width = mask.width;
  flat.height = mask.height;
  var g = flat.getContext("2d");
  g.fillStyle = "#000";
  g.fillRect(0, 0, flat.width, flat.height);
  g.drawImage(mask, 0, 0);
  return new Promise(function (resolve) { flat.toBlob(resolve, "image/png"); });
}

$("inpaint").addEventListener("click", function () {
  run("Inpainting", async function () {
    if (!source) throw new Error("generate a digit first");
    var q = sampling(), d = $("inpaint-digit").value;
    q.set("digit", d);
    if ($("resample").checked) { q.set("resample", "3"); q.set("sampler", "ddim"); }
    var form = new FormData();
    form.append("image", source, "digit.png");
    form.append("mask", await maskPng(), "mask.png");
    var res = await call("/inpaint?" + q, { method: "POST", body: form });
    show($("inpainted"), await res.blob(), "The digit with the masked region redrawn as a " + d);
    return "Inpainted a " + d + " into the mask.";
  });
});

$("strength").addEventListener("input", function () { $("strength-value").value = Number($("strength").value).toFixed(2); });
$("restyle").addEventListener("click", function () {
  run("Restyling", async function () {
    var picture = $("file").files[0] || source;
    if (!picture) throw new Error("choose a PNG or generate a digit first");
    var q = sampling(), to = $("to").value;
    q.set("to", to);
    q.set("strength", $("strength").value);
    var res = await call("/restyle?" + q, { method: "POST", headers: { "Content-Type": "image/png" }, body: picture });
    show($("restyled"), await res.blob(), "The picture restyled toward a " + to);
    return "Restyled toward a " + to + ".";
  });
});
</script>
</body>
</html>
`;
