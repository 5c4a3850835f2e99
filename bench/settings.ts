/** The load settings every bench script shares: BENCH_SECONDS (10), BENCH_WARMUP (3), BENCH_CONNECTIONS (32), BENCH_ROUNDS (3). */
export const seconds = Number(process.env.BENCH_SECONDS ?? 10);
export const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 3);
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
export const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_PROFILE=1: CPU profiles of the measured Gatehouse processes (compared variants too), in BENCH_PROFILE_DIR (/tmp/gh-prof). */
export const profileArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR ?? '/tmp/gh-prof'}`] : [];
