import { Document, visit, isScalar } from 'yaml';

/** Campaign YAML text with short number lists (positions, sizes) written inline, as people write them. */
export function campaignYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((it) => isScalar(it))) node.flow = true;
    },
  });
  return doc.toString();
}
