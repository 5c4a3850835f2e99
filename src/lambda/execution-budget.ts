/**
 * The time budget of one lambda call, as a QuickJS interrupt handler, counted in the worker
 * thread's own CPU time where Linux reports it, else in wall time. A thread that waits for a core on a loaded machine does
 * not use up its budget; a lambda that loops does.
 */
import { threadCpuClock } from './thread-cpu.js';

export class ExecutionBudget {
  private readonly cpu = threadCpuClock();
  /** Until this wall time, no check of the CPU clock is needed; Infinity while no call runs. */
  private checkAt = Infinity;
  private cpuAtStart = 0;

  constructor(private readonly budgetMs: number) {}

  /** The lambda's code starts now. */
  start(): void {
    this.cpuAtStart = this.cpu?.read() ?? 0;
    this.checkAt = performance.now() + this.budgetMs;
  }

  /** No call runs: nothing is interrupted (the host's own code between calls). */
  stop(): void {
    this.checkAt = Infinity;
  }

  /** For `runtime.setInterruptHandler`: true once the running call has used its budget. */
  readonly shouldInterrupt = (): boolean => {
    if (performance.now() <= this.checkAt) return false;
    if (!this.cpu) return true;
    const used = this.cpu.read() - this.cpuAtStart;
    if (!(used < this.budgetMs)) return true;
    // CPU time never runs ahead of wall time, so the budget cannot be used up before then.
    this.checkAt = performance.now() + Math.max(1, this.budgetMs - used);
    return false;
  };
}
