/**
 * libzstd threads for one chunk (issue 15 lever): one 4 MB float64 chunk compressed at level 3
 * with nbWorkers 0/1/2 and job sizes 512 KiB / 1 MiB, 15 rounds alternating, min and median ms,
 * each output checked to decode back. `node bench/zstd_frame_threads.cjs`
 */
const b = require('zstd-napi/binding');
const n = 500000; const f = new Float64Array(n); for (let i = 0; i < n; i++) f[i] = Math.round(Math.sin(i / 1000) * 1e6) / 100 + i;
const data = new Uint8Array(f.buffer);
function ctx(workers, job) { const c = new b.CCtx(); c.setParameter(b.CParameter.compressionLevel, 3); c.setParameter(b.CParameter.contentSizeFlag, 1); if (workers) { c.setParameter(b.CParameter.nbWorkers, workers); if (job) c.setParameter(b.CParameter.jobSize, job); } return c; }
const configs = [[0,0],[1,0],[2,0],[2,524288],[2,1048576],[1,1048576]];
const ctxs = configs.map(([w,j]) => ctx(w,j));
const dest = new Uint8Array(b.compressBound(data.byteLength));
const times = configs.map(() => []); const sizes = [];
for (let r = 0; r < 15; r++) for (let k = 0; k < configs.length; k++) { const t = process.hrtime.bigint(); const m = ctxs[k].compress2(dest, data); times[k].push(Number(process.hrtime.bigint() - t) / 1e6); sizes[k] = m; }
const d = new b.DCtx(); 
for (let k = 0; k < configs.length; k++) { const m = ctxs[k].compress2(dest, data); const out = new Uint8Array(data.byteLength); const got = d.decompress(out, dest.subarray(0, m)); if (got !== data.byteLength || Buffer.compare(Buffer.from(out), Buffer.from(data))) throw new Error('roundtrip'); 
 const s = times[k].sort((a,b)=>a-b); console.log(`workers ${configs[k][0]} job ${configs[k][1]}: min ${s[0].toFixed(2)} med ${s[7].toFixed(2)} ms, ${sizes[k]} bytes`); }
