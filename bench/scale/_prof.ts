import { registerCampaign } from '../../src/registration/register-campaign.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import '../../src/distributed/builtin-kinds.js';
const t0 = process.cpuUsage();
const out = await registerCampaign(process.argv[2], { executor: new InlineExecutor(), force: true });
const c = process.cpuUsage(t0);
console.log('cpu', (c.user + c.system) / 1e6, 'pairs', out.pairs.pairs.length);
