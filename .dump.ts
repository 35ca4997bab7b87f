import { apisByKey } from './src/protocol/messages';
const keys = process.argv.slice(2).map(Number);
function p(fs: any[], ind: string) { for (const f of fs) { console.log(`${ind}${f.name}: ${f.type} v${f.versions}${f.nullableVersions ? ' null'+f.nullableVersions : ''}${f.default!==undefined? ' ='+String(f.default):''}`); if (f.fields) p(f.fields, ind+'  '); } }
for (const k of keys) { const a: any = apisByKey.get(k); console.log(`== ${a.name} ${a.validVersions} flex ${a.flexibleVersions}`); console.log('REQ'); p(a.request,' '); console.log('RES'); p(a.response,' '); }
