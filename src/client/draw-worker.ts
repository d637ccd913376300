/**
 * The playground's drawing thread (GET /draw-worker.js). drawDigit's sampling
 * loop is synchronous; run here, off the page's main thread, each step's x̂₀ is
 * posted while the next step is computed, so the page can paint it as it comes.
 * The build resolves './index' to the served client.js: one copy of the code.
 */
import { drawDigit, type DrawDigitOptions, type DrawnDigit, type StepFrame } from './index';

/** `id` pairs answers with requests: a newer request may start before an older one's last message is read. */
export type DrawWorkerRequest = Omit<DrawDigitOptions, 'onStep'> & { id: number };
export type DrawWorkerMessage = { id: number } & ({ type: 'step'; frame: StepFrame } | { type: 'done'; digit: DrawnDigit } | { type: 'error'; message: string });

const send = (message: DrawWorkerMessage, transfer: Transferable[] = []) => postMessage(message, { transfer });

addEventListener('message', async (event: MessageEvent<DrawWorkerRequest>) => {
  const { id, ...options } = event.data;
  try {
    const digit = await drawDigit({ ...options, onStep: (frame) => send({ id, type: 'step', frame }, [frame.pixels.buffer]) });
    send({ id, type: 'done', digit }, [digit.pixels.buffer]);
  } catch (err) {
    send({ id, type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
