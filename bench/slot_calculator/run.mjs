// slot-calculator on the input bench/slot_calculator.py writes: one getSlots call per resource (it has no
// resource pool), timed in this process's CPU time around the calls only (not reading the input, not
// turning its output into pairs): one warm-up run, then RUNS runs. Writes the warm-up's CPU time, the CPU
// and wall times of each run and the (resource, start in epoch milliseconds) pairs of the last run.
//
//   node run.mjs input.json output.json
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { getSlots } from "slot-calculator";

const RUNS = 5;
const [inputPath, outputPath] = process.argv.slice(2);
const input = JSON.parse(readFileSync(inputPath, "utf8"));

function slotsOfEveryResource() {
  return input.resources.map((resource) =>
    getSlots({
      from: input.from,
      to: input.to,
      duration: input.duration_minutes,
      availability: resource.availability,
      unavailability: resource.unavailability,
      outputTimezone: "UTC",
    }).availableSlots,
  );
}

function cpuMillisOf(started) {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const coldStart = process.cpuUsage();
slotsOfEveryResource();
const firstCpuMillis = cpuMillisOf(coldStart);
const cpuMillis = [];
const wallMillis = [];
let found = [];
for (let run = 0; run < RUNS; run++) {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  found = slotsOfEveryResource();
  wallMillis.push(performance.now() - wall);
  cpuMillis.push(cpuMillisOf(cpu));
}
const pairs = found.flatMap((slots, n) =>
  slots.map((slot) => [input.resources[n].id, Date.parse(slot.from)]),
);
writeFileSync(outputPath, JSON.stringify({ first_cpu_ms: firstCpuMillis, cpu_ms: cpuMillis, wall_ms: wallMillis, pairs }));
