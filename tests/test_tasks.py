"""Every task of ours can be queued: Celery checks options such as the time limits only
when a task is sent, which tests that call task functions directly never do."""

import inspect

import pytest
from celery import current_app

OUR_APPS = ("campaigns", "petitions", "letters", "replies", "handovers", "actions", "cms")


def our_tasks():
    current_app.loader.import_default_modules()
    return sorted(name for name in current_app.tasks if name.split(".")[0] in OUR_APPS)


def placeholder_args(task) -> list:
    args = []
    for parameter in inspect.signature(task.run).parameters.values():
        if parameter.default is not inspect.Parameter.empty:
            continue
        args.append([1] if "list" in str(parameter.annotation) else 1)
    return args


def test_the_project_has_tasks():
    assert "handovers.tasks.build_pack" in our_tasks()
    assert "petitions.tasks.build_pack" in our_tasks()  # the old name, for queued messages
    assert "letters.tasks.deliver" in our_tasks()
    assert "replies.tasks.record_reply" in our_tasks()


@pytest.mark.parametrize("name", our_tasks())
def test_every_task_can_be_queued(name):
    task = current_app.tasks[name]
    # The test settings' broker is in memory; nothing runs, the message is only sent.
    task.apply_async(args=placeholder_args(task))
