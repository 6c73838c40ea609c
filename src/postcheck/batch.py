"""Checking a batch of posts, in worker processes when asked (``--jobs``).

Each worker loads its models once, in its initializer, with its share of the
CPUs as the thread budget of its libraries, and then checks post after post; a
post that a worker fails on is a ``check-error``, never a lost post.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

from postcheck import __version__
from postcheck.model import Finding, InputSummary, Post, PostResult, Report, Severity
from postcheck.policy import weakened
from postcheck.runner import Session, check_post
from postcheck.warmup import warm_models

_WORKER_SESSION: Session | None = None
# Each worker's share of the CPUs, set in its environment before any model loads:
# ONNX Runtime (OCR) reads it for its thread pool, BLAS and OpenMP read theirs.
WORKER_THREADS = "POSTCHECK_WORKER_THREADS"
_THREAD_VARS = (WORKER_THREADS, "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _init_worker(session: Session, threads: int = 1, photos: bool = False) -> None:
    """Runs first in each worker process: the session; the worker's thread budget,
    so that workers do not compete with each other's library threads (ONNX
    Runtime's spin while they wait, which costs the other worker its CPU); the
    photo models loaded once (when the batch has photos); and everything imported
    so far frozen out of the garbage collector's way."""
    global _WORKER_SESSION
    import gc

    from postcheck.vision import runtime

    _WORKER_SESSION = session
    for var in _THREAD_VARS:
        os.environ[var] = str(threads)
    if photos:
        runtime.tune_malloc()
        warm_models(session.context())
    gc.freeze()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_in_worker(post: Post) -> PostResult:
    assert _WORKER_SESSION is not None
    return _safe_check(post, _WORKER_SESSION, trim=True)


def _safe_check(post: Post, session: Session, trim: bool = False) -> PostResult:
    """Check one post; an exception blocks it. With ``trim`` (batch workers, which
    share the machine's memory), a photo's freed buffers go back to the system
    before the next post. A single process gives them back only when it holds
    more than :data:`~postcheck.vision.runtime.KEEP_BELOW`: below that, the next
    photo reuses them instead of faulting the same pages in again (about 0.16 s
    of system CPU a 12 MP photo)."""
    try:
        return check_post(post, session)
    except Exception as exc:
        finding = Finding(
            "check-error",
            f"postcheck failed while checking this post ({exc.__class__.__name__}: {exc}); "
            "it was not checked, so it is blocked. Please report this to the postcheck maintainers.",
            post.name,
            severity=Severity.BLOCK,
            clauses=(),
        )
        inputs = tuple(InputSummary(i.display, i.kind) for i in post.inputs)
        return PostResult(post.name, Severity.BLOCK, inputs, (finding,))
    finally:
        if any(i.kind != "text" for i in post.inputs):
            from postcheck.vision import runtime

            runtime.trim_memory(0 if trim else runtime.KEEP_BELOW)


def check_posts(
    posts: list[Post],
    session: Session,
    jobs: int = 1,
    on_done: Callable[[PostResult], None] | None = None,
) -> Report:
    """Check every post, in ``jobs`` worker processes when there are several."""
    results: list[PostResult | None] = [None] * len(posts)
    if jobs > 1 and len(posts) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        mp = multiprocessing.get_context("spawn")
        workers = min(jobs, len(posts))
        threads = max(1, _cpus() // workers)
        photos = any(i.kind != "text" for p in posts for i in p.inputs)
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=mp,
            initializer=_init_worker,
            initargs=(session, threads, photos),
        ) as pool:
            futures = {pool.submit(_check_in_worker, p): i for i, p in enumerate(posts)}
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    res = fut.result()
                except Exception as exc:
                    res = _safe_check_failed(posts[i], exc)
                results[i] = res
                if on_done:
                    on_done(res)
    else:
        import gc

        if any(i.kind != "text" for p in posts for i in p.inputs):
            from postcheck.vision import runtime

            runtime.tune_malloc()
        for i, post in enumerate(posts):
            results[i] = _safe_check(post, session)
            if i == 0 and len(posts) > 1:
                gc.freeze()  # the libraries and models loaded for the first post stay
            if on_done:
                on_done(results[i])
    done = tuple(
        r if r.channel else dataclasses.replace(r, channel=session.channel) for r in results if r is not None
    )
    used = tuple(dict.fromkeys(r.channel or session.channel for r in done))
    return Report(
        __version__,
        session.policy.id,
        session.policy.name,
        session.channel,
        session.approval,
        done,
        weakened=tuple(weakened(session.policy, session.config.rules, used)),
        missing=session.policy.missing,
    )


def _safe_check_failed(post: Post, exc: BaseException) -> PostResult:
    finding = Finding(
        "check-error",
        f"A worker process failed while checking this post ({exc.__class__.__name__}); it was not "
        "checked, so it is blocked.",
        post.name,
        severity=Severity.BLOCK,
    )
    inputs = tuple(InputSummary(i.display, i.kind) for i in post.inputs)
    return PostResult(post.name, Severity.BLOCK, inputs, (finding,))
