/** Top self-time functions of a V8 .cpuprofile: `npx tsx bench/registration/cpuprofile-top.ts FILE [N]`. */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(process.argv[3] ?? '25');
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
prof.samples.forEach((id, i) => {
  const n = byId.get(id)!;
  const f = n.callFrame;
  const k = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  const dt = prof.timeDeltas[i] ?? 0;
  self.set(k, (self.get(k) ?? 0) + dt);
  total += dt;
});
for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${(v / 1000).toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
