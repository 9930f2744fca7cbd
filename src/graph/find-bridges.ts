/**
 * Bridges of the link graph: links whose removal splits a connected component. Iterative
 * depth-first search with low-links, O(tiles + links) (R. E. Tarjan (1974), "A note on finding the
 * bridges of a graph", Inf. Process. Lett. 2(6):160–161, doi:10.1016/0020-0190(74)90003-9).
 * Parallel links between the same two tiles are never bridges: the search skips only the link it
 * arrived by, not every link back to the parent. Iterative so that long chains of tiles do not
 * overflow the call stack.
 */

/** `isBridge[e] = 1` for each active link (weight[e] > 0) that is a bridge. */
export function findBridges(n: number, a: Int32Array, b: Int32Array, weight: Float64Array): Uint8Array {
  const m = a.length;
  // Adjacency in CSR form over active links.
  const deg = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    if (!(weight[e] > 0)) continue;
    deg[a[e] + 1]++;
    deg[b[e] + 1]++;
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const fill = deg.slice(0, n);
  const nbr = new Int32Array(deg[n]);
  const via = new Int32Array(deg[n]);
  for (let e = 0; e < m; e++) {
    if (!(weight[e] > 0)) continue;
    nbr[fill[a[e]]] = b[e];
    via[fill[a[e]]++] = e;
    nbr[fill[b[e]]] = a[e];
    via[fill[b[e]]++] = e;
  }
  const isBridge = new Uint8Array(m);
  const disc = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const stackNode = new Int32Array(n);
  const stackEdge = new Int32Array(n);
  const cursor = new Int32Array(n);
  let time = 0;
  for (let root = 0; root < n; root++) {
    if (disc[root] >= 0) continue;
    let top = 0;
    stackNode[0] = root;
    stackEdge[0] = -1;
    disc[root] = low[root] = time++;
    cursor[root] = deg[root];
    while (top >= 0) {
      const u = stackNode[top];
      if (cursor[u] < deg[u + 1]) {
        const k = cursor[u]++;
        const e = via[k];
        if (e === stackEdge[top]) continue;
        const v = nbr[k];
        if (disc[v] < 0) {
          disc[v] = low[v] = time++;
          cursor[v] = deg[v];
          top++;
          stackNode[top] = v;
          stackEdge[top] = e;
        } else if (disc[v] < low[u]) {
          low[u] = disc[v];
        }
      } else {
        top--;
        if (top >= 0) {
          const parent = stackNode[top];
          if (low[u] < low[parent]) low[parent] = low[u];
          if (low[u] > disc[parent]) isBridge[stackEdge[top + 1]] = 1;
        }
      }
    }
  }
  return isBridge;
}
