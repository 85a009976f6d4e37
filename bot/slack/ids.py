"""The naming rule for Slack ids and job kinds, the same in every package's ``ids.py``.

Each ritual package's ``ids.py`` defines (only those it needs) these ``StrEnum`` classes, under
exactly these names, so code reads the same everywhere (``Callback.SETUP``, ``Action.CHANNEL``)
and a grep finds every id of a kind:

- ``Callback``: modal and shortcut ``callback_id`` values;
- ``Action``: ``action_id`` values (buttons, selects, inputs);
- ``Block``: ``block_id`` values (modal inputs: a ``UserError.block_id`` names one of these);
- ``JobKind``: ``Schedule.kind`` values, ``"<package>.<job>"``; each has exactly one handler in
  the package's feature object (tests/test_wiring.py checks it);
- ``Hook``: outbox result-hook names and the ritual kind of failure hooks, ``"<package>.<event>"``.

Domain vocabularies (statuses, sections, sides) live beside them with their own names. Values
are part of the wire format (Slack echoes them back; ``Schedule.kind`` is stored): never rename
a value, only a member.
"""

from __future__ import annotations

ID_ENUMS: tuple[str, ...] = ("Callback", "Action", "Block", "JobKind", "Hook")
