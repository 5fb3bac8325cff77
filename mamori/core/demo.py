"""Demo data steps of the apps built on the organisation: `mamori demo` loads the demo
organisation (org app) and then runs each registered step, in registration order. A step
takes the seed, is idempotent and runs inside the demo's actor context."""

_steps: list = []


def register_demo_step(step) -> None:
    if step not in _steps:
        _steps.append(step)


def demo_steps() -> list:
    return list(_steps)
