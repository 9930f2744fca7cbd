import type { Command } from 'commander';
import { loadStudy } from '../../study/load-study.js';
import { queryStudy } from '../../study/query-study.js';
import { formatQueryResult, type QueryFormat } from '../../study/format-query-result.js';
import { StitchgraphError } from '../../errors.js';

const FORMATS: QueryFormat[] = ['table', 'csv', 'json'];

export function addQueryCommand(program: Command): void {
  program
    .command('query <study> <sql>')
    .description('SQL over the pooled tables of a study (components, branches, nodes, summary, pairs, positions, samples; docs/study.md)')
    .option('--format <format>', 'table | csv | json', 'table')
    .action(async (file: string, sql: string, o: { format: string }) => {
      if (!FORMATS.includes(o.format as QueryFormat)) throw new StitchgraphError('UsageError', `Cannot run query: --format ${o.format} must be table, csv or json`);
      const result = await queryStudy(await loadStudy(file), sql);
      process.stdout.write(formatQueryResult(result, o.format as QueryFormat));
    });
}
