import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * bcrypt off the event loop. bcryptjs is pure JS: its async API only slices the work, and with many
 * checks in flight each turn of the event loop runs a slice of every one of them — 64 concurrent
 * cost-12 checks starved HTTP and job I/O for seconds (found by `npm run bench`). A small pool of
 * worker threads runs them in parallel on the other cores and leaves the main thread free.
 */
const bcryptPath = createRequire(import.meta.url).resolve("bcryptjs");

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
parentPort.on("message", (task) => {
  try {
    const result = task.op === "hash" ? bcrypt.hashSync(task.text, task.cost) : bcrypt.compareSync(task.text, task.hash);
    parentPort.postMessage({ id: task.id, result });
  } catch (error) {
    parentPort.postMessage({ id: task.id, error: String((error && error.message) || error) });
  }
});
`;

type Task = { id: number; op: "hash" | "compare"; text: string; cost?: number; hash?: string };
type Pending = { task: Task; resolve: (value: string | boolean) => void; reject: (error: Error) => void };
type Slot = { worker: Worker; current?: Pending };

const size = Math.max(1, Math.min(4, availableParallelism()));
const slots: Slot[] = [];
const waiting: Pending[] = [];
let nextId = 1;

function spawn(): Slot {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
  // Idle workers must not keep a script or a test process alive.
  worker.unref();
  const slot: Slot = { worker };
  worker.on("message", (message: { id: number; result?: string | boolean; error?: string }) => {
    const done = slot.current;
    slot.current = undefined;
    worker.unref();
    if (done && done.task.id === message.id) {
      if (message.error !== undefined) {
        done.reject(new Error(`bcrypt: ${message.error}`));
      } else {
        done.resolve(message.result as string | boolean);
      }
    }
    pump();
  });
  worker.on("error", (error) => {
    slot.current?.reject(error);
    slots.splice(slots.indexOf(slot), 1);
    pump();
  });
  slots.push(slot);
  return slot;
}

function pump(): void {
  while (waiting.length > 0) {
    const slot = slots.find((s) => !s.current) ?? (slots.length < size ? spawn() : undefined);
    if (!slot) {
      return;
    }
    const next = waiting.shift() as Pending;
    slot.current = next;
    // Busy workers keep the process alive until their answer arrives.
    slot.worker.ref();
    slot.worker.postMessage(next.task);
  }
}

function run<T extends string | boolean>(task: Omit<Task, "id">): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    waiting.push({ task: { ...task, id: nextId++ }, resolve: resolve as Pending["resolve"], reject });
    pump();
  });
}

export function bcryptHash(text: string, cost: number): Promise<string> {
  return run<string>({ op: "hash", text, cost });
}

export function bcryptCompare(text: string, hash: string): Promise<boolean> {
  return run<boolean>({ op: "compare", text, hash });
}
