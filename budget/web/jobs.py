"""The task queue inside the app: the upload jobs run with the app's engine and geography, and
``flask jobs worker`` runs them.

``init_app`` makes the queue from the settings (``core.jobs``) and registers the two tasks on
it; each task pushes an app context of the app that registered it, so a worker started by
``flask jobs worker`` (which builds the app through ``create_app``) has the same database,
geography and risk thresholds as the web server. The work itself is ``budget.jobs``.

``flask jobs worker`` runs the jobs in worker processes (huey's process workers, forked from the
consumer, one job at a time each), so a job's limits are its own (``core.job_limits``): each
worker process caps its memory at ``JOBS_MEMORY_LIMIT_MB`` when it starts, and a job past
``JOBS_TIME_LIMIT_SECONDS`` is stopped, or its process ended and replaced by the consumer.
Threads of one process (``start_in_threads``, the browser tests) get the time limit only.
"""

from __future__ import annotations

import logging
import os

import click
from flask import Flask, current_app
from huey.signals import SIGNAL_INTERRUPTED

from budget import jobs as upload_jobs
from budget.settings import read_limits
from core import job_limits
from core import jobs as queue
from core.web import database
from core.web.cli import SchemaGroup
from risk.settings import thresholds as risk_thresholds

log = logging.getLogger(__name__)

VALIDATE_TASK, PUBLISH_TASK = "budget.validate_upload", "budget.publish_upload"


class Jobs:
    """The app's queue and its tasks (``app.extensions["jobs"]``)."""

    def __init__(self, app: Flask):
        self.huey = queue.make_huey(app.config, app.instance_path)
        self.in_processes = False  # set by ``flask jobs worker`` before its processes start
        every = queue.heartbeat_seconds(app.config)

        def districts():
            return app.extensions["geography"].districts

        def limits() -> upload_jobs.Limits:
            return upload_jobs.Limits(queue.time_limit_seconds(app.config) or None,
                                      hard_exit=self.in_processes)

        def stopped(upload_id: int, token: str, job: str) -> None:
            """Interrupted in a worker process (a second Ctrl-C): huey tells no one there."""
            upload_jobs.fail(database.engine(), upload_id, token, job, None, upload_jobs.STOPPED)

        @self.huey.task(name=VALIDATE_TASK)
        def validate_upload(upload_id: int, token: str) -> None:
            with app.app_context():
                try:
                    upload_jobs.run_validation(database.engine(), upload_id, token, districts(),
                                               heartbeat_every=every, limits=limits(),
                                               file_limits=read_limits(app.config))
                except KeyboardInterrupt:
                    stopped(upload_id, token, upload_jobs.VALIDATE)
                    raise

        @self.huey.task(name=PUBLISH_TASK)
        def publish_upload(upload_id: int, token: str, actor: str) -> None:
            with app.app_context():
                try:
                    upload_jobs.run_publication(database.engine(), upload_id, token, districts(),
                                                actor=actor, risk_thresholds=risk_thresholds(app.config),
                                                heartbeat_every=every, limits=limits(),
                                                file_limits=read_limits(app.config))
                except KeyboardInterrupt:
                    stopped(upload_id, token, upload_jobs.PUBLISH)
                    raise

        @self.huey.on_startup()
        def start_worker_process() -> None:
            """A worker process just forked from the consumer: its own database connections, its
            memory limit, and it dies with the consumer (never left holding a transaction)."""
            if not self.in_processes:
                return
            app.extensions["engine"].dispose(close=False)
            job_limits.die_with_parent()
            job_limits.limit_memory(queue.memory_limit_mb(app.config))
            log.info("worker process %s: memory limit %s MB, time limit %s s per job", os.getpid(),
                     queue.memory_limit_mb(app.config) or "no", queue.time_limit_seconds(app.config) or "no")

        @self.huey.signal(SIGNAL_INTERRUPTED)
        def interrupted(_signal, task) -> None:
            """The worker was stopped (Ctrl-C, SIGTERM) in the middle: say so at once."""
            upload_id, token = task.args[0], task.args[1]
            job = upload_jobs.PUBLISH if task.name == PUBLISH_TASK else upload_jobs.VALIDATE
            with app.app_context():
                upload_jobs.fail(database.engine(), upload_id, token, job, None, upload_jobs.STOPPED)

        self.validate_task, self.publish_task = validate_upload, publish_upload

    def validate(self, upload_id: int, token: str) -> None:
        self.validate_task(upload_id, token)

    def publish(self, upload_id: int, token: str, actor: str) -> None:
        self.publish_task(upload_id, token, actor)

    def consumer(self, workers: int, worker_type: str = "thread"):
        """A huey consumer of this queue, polling SQLite every second at most; a dead worker
        process is replaced within two seconds."""
        self.in_processes = worker_type == "process"
        return self.huey.create_consumer(workers=workers, worker_type=worker_type, periodic=False,
                                         initial_delay=0.1, backoff=1.15, max_delay=1.0,
                                         health_check_interval=2)

    def start_in_threads(self, workers: int = 1):
        """A consumer running in this process's threads, without signal handlers (the browser
        tests' and the benchmark's live server); stop it with ``.stop(graceful=True)``."""
        consumer = self.consumer(workers)
        consumer.scheduler.start()
        for _worker, thread in consumer.worker_threads:
            thread.start()
        return consumer


def init_app(app: Flask) -> None:
    app.extensions["jobs"] = Jobs(app)
    app.cli.add_command(jobs_cli)


def jobs() -> Jobs:
    return current_app.extensions["jobs"]


jobs_cli = SchemaGroup("jobs", help="The background worker that validates and publishes uploads.")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Jobs at the same time (default JOBS_WORKERS).")
def worker(workers: int | None) -> None:
    """Run the queue's consumer until stopped (Ctrl-C lets running jobs finish; a second Ctrl-C
    or SIGTERM stops them, and they show as failed). Each job runs in a worker process of its
    own, under JOBS_MEMORY_LIMIT_MB and JOBS_TIME_LIMIT_SECONDS."""
    if current_app.config.get("JOBS_IMMEDIATE"):
        raise click.UsageError("JOBS_IMMEDIATE is on: jobs run inside the web requests, a worker has nothing to do.")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    count = workers or int(current_app.config.get("JOBS_WORKERS") or 1)
    jobs().consumer(count, worker_type="process").run()
