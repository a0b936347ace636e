import os from "node:os";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export interface LoadAverage {
  /** 1-minute load average: at the start, lowest, average and highest seen (sampled every 5 s), at the end. */
  start: number;
  min: number;
  avg: number;
  max: number;
  end: number;
}

/**
 * Other engineers' test runs share this machine's cores; the load average they cause is part of
 * every result, so the run records it.
 */
export function watchLoadAverage(): { stop(): LoadAverage } {
  const samples = [os.loadavg()[0]];
  const timer = setInterval(() => samples.push(os.loadavg()[0]), 5_000);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(os.loadavg()[0]);
      return {
        start: samples[0],
        min: Math.min(...samples),
        avg: samples.reduce((a, b) => a + b, 0) / samples.length,
        max: Math.max(...samples),
        end: samples[samples.length - 1],
      };
    },
  };
}
