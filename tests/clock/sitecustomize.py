"""A test process's `ij` and Python subprocesses share its faked clock (see tests/conftest.py).

On PYTHONPATH only when the suite runs under INCJOURNAL_TEST_NOW: the offset from the real clock
is passed on, so a subprocess started later is as far along as the test that started it.
"""

import os

_offset = os.environ.get("INCJOURNAL_TEST_CLOCK_OFFSET")
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
