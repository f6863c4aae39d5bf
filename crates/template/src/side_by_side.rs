//! Running independent jobs on several threads: a chart's templates are parsed side by side
//! (`Templates::add_many`), and the chart core renders its files side by side.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Runs `work(i)` for every `i` in `0..count` on the calling thread and up to `threads - 1`
/// more, each thread taking the next index not yet taken (jobs differ widely in cost). `work`
/// returns its result and whether the other jobs should be left undone; then every thread
/// stops taking jobs. The results come back by index, `None` for a job that did not run: one
/// left undone, or taken by a thread that panicked. A thread that cannot start takes no jobs.
/// With one thread every job runs on the calling thread and no thread is started.
pub fn run_side_by_side<T: Send>(
    count: usize,
    threads: usize,
    work: impl Fn(usize) -> (T, bool) + Sync,
) -> Vec<Option<T>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let run = || {
        let mut done = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                break;
            }
            let (result, stop_others) = work(i);
            if stop_others {
                stop.store(true, Ordering::Relaxed);
            }
            done.push((i, result));
        }
        done
    };
    let threads = threads.clamp(1, count.max(1));
    let parts = if threads == 1 {
        vec![run()]
    } else {
        std::thread::scope(|s| {
            let others: Vec<_> = (1..threads)
                .map(|_| std::thread::Builder::new().spawn_scoped(s, run))
                .collect();
            let mut parts = vec![run()];
            parts.extend(
                others
                    .into_iter()
                    .filter_map(|h| h.ok().and_then(|h| h.join().ok())),
            );
            parts
        })
    };
    let mut results: Vec<Option<T>> = std::iter::repeat_with(|| None).take(count).collect();
    for (i, result) in parts.into_iter().flatten() {
        results[i] = Some(result);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::run_side_by_side;

    #[test]
    fn every_job_runs_once_and_comes_back_by_index() {
        for threads in [1, 2, 5, 100] {
            let results = run_side_by_side(50, threads, |i| (i * 2, false));
            let expected: Vec<Option<usize>> = (0..50).map(|i| Some(i * 2)).collect();
            assert_eq!(results, expected, "{threads} threads");
        }
        assert!(run_side_by_side(0, 4, |i| (i, false)).is_empty());
    }

    #[test]
    fn a_job_may_leave_the_rest_undone() {
        // On one thread jobs run in order: the ones after the stopping job are left undone.
        let results = run_side_by_side(10, 1, |i| (i, i == 3));
        assert_eq!(results[..4], [Some(0), Some(1), Some(2), Some(3)]);
        assert!(results[4..].iter().all(Option::is_none));
    }
}
