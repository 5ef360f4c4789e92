//! CPU time of the whole process, shared by the load examples.

/// CPU time (user + system) of every thread of this process so far, from the scheduler's
/// per-thread run time in `/proc/self/task/*/schedstat` (nanoseconds; the 100 Hz ticks of
/// `/proc/self/stat` are too coarse for passes of a few hundred milliseconds): on a shared
/// machine the CPU spent per event or per load is steadier than wall-clock figures.
pub fn cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let mut nanos = 0u64;
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        nanos += stat
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    nanos as f64 / 1e9
}
