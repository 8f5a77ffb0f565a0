import { Worker } from 'node:worker_threads';
import type { WorkerCommand, WorkerReport, WorkerTask } from './worker-protocol.js';

const WORKER_SCRIPT = new URL('./load-worker.js', import.meta.url);

type SuccessReport = Exclude<WorkerReport, { type: 'failed' }>;

/** The main thread's side of one load worker: start it, command it, await its reports. */
export class LoadWorkerHandle {
  private failure: Error | undefined;
  private readonly reports: SuccessReport[] = [];
  private waiter: { resolve(report: SuccessReport): void; reject(error: Error): void } | undefined;
  private exited = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (report: WorkerReport) => {
      if (report.type === 'failed') this.fail(new Error(report.message));
      else if (this.waiter) this.settle().resolve(report);
      else this.reports.push(report);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`load worker exited (code ${code})`));
    });
  }

  /** Starts a worker and waits until its client is connected (and subscribed) to the server. */
  static async start(task: WorkerTask, timeoutMs: number): Promise<LoadWorkerHandle> {
    const handle = new LoadWorkerHandle(new Worker(WORKER_SCRIPT, { workerData: task }));
    try {
      await handle.next('ready', timeoutMs);
    } catch (error) {
      await handle.stop();
      throw error;
    }
    return handle;
  }

  /** The first failure the worker reported since it started, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  send(command: WorkerCommand): void {
    this.worker.postMessage(command);
  }

  /** Waits for the next report, which must be of `type`. */
  async next<T extends SuccessReport['type']>(type: T, timeoutMs: number): Promise<Extract<SuccessReport, { type: T }>> {
    const report = await new Promise<SuccessReport>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const queued = this.reports.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => this.fail(new Error(`no '${type}' from ${this.describe()} within ${timeoutMs} ms`)), timeoutMs);
      this.waiter = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
    if (report.type !== type) throw new Error(`expected '${type}' from ${this.describe()}, got '${report.type}'`);
    return report as Extract<SuccessReport, { type: T }>;
  }

  async stop(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }

  private describe(): string {
    return `load worker ${this.worker.threadId}`;
  }

  private settle(): { resolve(report: SuccessReport): void; reject(error: Error): void } {
    const waiter = this.waiter!;
    this.waiter = undefined;
    return waiter;
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    if (this.waiter) this.settle().reject(error);
  }
}
