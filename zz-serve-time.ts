const c0 = process.cpuUsage(); const w0 = performance.now();
const { serve } = await import('./src/start.ts');
const c1 = process.cpuUsage(c0); const w1 = performance.now();
const running = await serve({ env: {}, overrides: { port: 0, dataDir: process.argv[2], logLevel: 'silent' } });
const c2 = process.cpuUsage(c0); const w2 = performance.now();
await running.close();
const ms = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
console.log(JSON.stringify({ importCpu: ms(c1), serveCpu: ms(c2) - ms(c1), importWall: w1 - w0, serveWall: w2 - w1 }));
process.exit(0);
