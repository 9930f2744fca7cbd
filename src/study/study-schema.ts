import { z } from 'zod';

/** Sample ids name files and folders (tables, gallery images): keep them path-safe. */
const SampleId = z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'sample ids may hold letters, digits and _ . -');

/** Metadata values a study file may give per sample (strain, sex, age ...). */
const MetadataValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const StudySampleEntrySchema = z
  .object({
    id: SampleId,
    /** The sample's campaign YAML, relative to the study file. */
    campaign: z.string().min(1),
  })
  .catchall(MetadataValue);

/** `study.yaml` (docs/study.md). */
export const StudyFileSchema = z
  .strictObject({
    study: z.string().min(1),
    /** A glob of campaign files (sample id = the campaign file's folder name) or a list of samples. */
    samples: z.union([z.string().min(1), z.array(StudySampleEntrySchema).min(1)]),
    /** CSV with a column `id` plus any metadata columns, relative to the study file. */
    metadata: z.string().min(1).optional(),
  })
  .superRefine((s, ctx) => {
    if (!Array.isArray(s.samples)) return;
    const seen = new Map<string, number>();
    s.samples.forEach((e, i) => {
      const first = seen.get(e.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['samples', i, 'id'], message: `duplicate sample id "${e.id}" (also samples[${first}])` });
      else seen.set(e.id, i);
      for (const key of ['sample', 'workdir', 'tables']) {
        if (key in e) ctx.addIssue({ code: 'custom', path: ['samples', i, key], message: `"${key}" is a column stitchgraph fills in; name the metadata column otherwise` });
      }
    });
  });

export type StudyFile = z.output<typeof StudyFileSchema>;
export type StudySampleEntry = z.output<typeof StudySampleEntrySchema>;
