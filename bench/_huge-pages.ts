import { spawnSync } from 'node:child_process';

/**
 * Run this benchmark again in a child process with the allocator setting the `stitchgraph`
 * launcher (bin/stitchgraph) gives the CLI: glibc's malloc asking for transparent huge pages on
 * its large mappings, as numpy does for its own arrays. Without it the bench would measure our
 * code as no user runs it (every fresh volume-sized array page-faulted 4 KiB at a time). The peer
 * processes the bench starts inherit the same environment. Returns only in the child.
 */
export function rerunWithHugePages(): void {
  const current = process.env.GLIBC_TUNABLES ?? '';
  if (process.platform !== 'linux' || /(^|:)glibc\.malloc\.hugetlb=/.test(current)) return;
  const GLIBC_TUNABLES = current ? `${current}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1';
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES } });
  process.exit(r.status ?? 1);
}
