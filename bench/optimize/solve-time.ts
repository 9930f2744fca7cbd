// Solve time of the global optimisation on simulated grids (npx tsx bench/optimize/solve-time.ts [--big]).
// Per grid: the whole `optimizePositions` (graph build + pruning rounds + group placement) with
// noisy links and with 5 % wrong links, and one plain solve of the same least squares by ours
// (PCG with the multilevel and with the Jacobi preconditioner) and by scipy (SuperLU direct and CG) side by side.
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Vec3 } from '../../src/geometry/box.js';
import { optimizePositions } from '../../src/graph/optimize-positions.js';
import { DisplacementGraph } from '../../src/graph/displacement-graph.js';
import { solvePositions } from '../../src/graph/solve-positions.js';
import { simulateCampaign, maxErrorAfterCommonShift, linkKey } from '../../test/graph/optimize-simulation.js';

const grids: Vec3[] = [[10, 10, 10], [10, 30, 30], [20, 50, 50]];
if (process.argv.includes('--big')) grids.push([10, 100, 100]);
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-opt-'));
// Timings are the best of a few runs (the machine may be shared), after one warm-up for the JIT.
const best = <T>(reps: number, f: () => T): [T, number] => {
  let out: T | undefined, min = Infinity;
  for (let i = 0; i < reps; i++) {
    out = undefined; // the previous result must not stay alive (and be scanned by GC) during the next run
    const t = performance.now();
    out = f();
    min = Math.min(min, (performance.now() - t) / 1000);
  }
  return [out!, min];
};
{
  const warm = simulateCampaign({ grid: [4, 6, 6], wrongFraction: 0.05 });
  optimizePositions(warm.tiles, warm.pairs);
}
const rows: string[] = [];
const header = '| grid (z×y×x) | tiles | links | wrong | optimize s | µs / link | rounds | dropped (wrong missed) | max err vox | plain solve: ours multilevel-PCG s | ours Jacobi-PCG s | scipy SuperLU s | scipy CG s | max diff vs SuperLU |';
rows.push(header, '|' + header.split('|').slice(1, -1).map(() => '---').join('|') + '|');
for (const grid of grids) {
  for (const wrongFraction of [0, 0.05]) {
    const sim = simulateCampaign({ grid, wrongFraction, seed: 1 });
    const reps = sim.tiles.length > 60000 ? 2 : 3;
    const [r, optimizeS] = best(reps, () => optimizePositions(sim.tiles, sim.pairs));
    const dropped = new Set(r.residuals.dropped.map((d) => linkKey(d.a, d.b)));
    const missed = [...sim.wrong].filter((k) => !dropped.has(k)).length;
    const err = maxErrorAfterCommonShift(r.tiles, sim.truth);
    let plain = '', jacobi = '', lu = '', cg = '', diff = '';
    if (wrongFraction === 0) {
      // One least-squares solve from the nominal positions, tile 0 fixed: ours vs scipy.
      const g = DisplacementGraph.fromPairs(sim.tiles, sim.pairs);
      const sys = g.toLinkSystem();
      const x0 = g.nominalPositions();
      const fixed = new Uint8Array(sys.n);
      fixed[0] = 1;
      const [ours, plainS] = best(reps, () => solvePositions(sys, fixed, x0, { preconditioner: 'multilevel' }));
      plain = `${plainS.toFixed(3)} (${ours.iterations} it)`;
      const [jac, jacS] = best(reps, () => solvePositions(sys, fixed, x0, { preconditioner: 'jacobi' }));
      jacobi = `${jacS.toFixed(3)} (${jac.iterations} it)`;
      const prefix = join(dir, `sys_${grid.join('x')}`);
      writeFileSync(`${prefix}.a`, Buffer.from(sys.a.buffer));
      writeFileSync(`${prefix}.b`, Buffer.from(sys.b.buffer));
      writeFileSync(`${prefix}.shift`, Buffer.from(sys.shift.buffer));
      writeFileSync(`${prefix}.w`, Buffer.from(sys.weight.buffer));
      writeFileSync(`${prefix}.x0`, Buffer.from(x0.buffer));
      const py = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'scipy_solve.py'), prefix, String(sys.n)], { encoding: 'utf8' });
      if (py.status !== 0) throw new Error(py.stderr);
      const out = JSON.parse(py.stdout) as { direct_s: number; cg_s: number };
      lu = out.direct_s.toFixed(3);
      cg = out.cg_s.toFixed(3);
      const ref = new Float64Array(readFileSync(`${prefix}.xdirect`).buffer.slice(0));
      let d = 0;
      for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(ref[i] - ours.x[i]));
      diff = d.toExponential(1);
    }
    const row = `| ${grid.join('×')} | ${sim.tiles.length} | ${sim.pairs.length} | ${Math.round(wrongFraction * 100)} % | ${optimizeS.toFixed(2)} | ${((optimizeS / sim.pairs.length) * 1e6).toFixed(0)} | ${r.summary.rounds} | ${r.summary.dropped} (${missed}) | ${err.toFixed(2)} | ${plain} | ${jacobi} | ${lu} | ${cg} | ${diff} |`;
    rows.push(row);
    console.log(row);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log('\n' + rows.join('\n'));
