# Code a stranger put in a workspace: if diasporatrack ever runs it untrusted, MARKER appears.
from pathlib import Path

Path("MARKER").write_text("the untrusted plugin file ran\n")
raise SystemExit("the untrusted plugin file ran")
