"""Who this bot is, kept in its state directory so that a restarted process resumes the same bot.
The same file the Java SDK keeps (``bot.json``: id, token, heartbeatIntervalMs), mode 0600."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

FILE = "bot.json"


@dataclass(frozen=True)
class Identity:
    bot_id: str
    token: str
    heartbeat_interval_ms: int

    @staticmethod
    def load(state_dir: Path) -> Identity | None:
        file = state_dir / FILE
        if not file.exists():
            return None
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            return Identity(str(data["id"]), str(data["token"]), int(data["heartbeatIntervalMs"]))
        except (ValueError, KeyError, TypeError) as e:
            raise RuntimeError(f"{file} is damaged ({e}); remove it to register anew") from e

    def save(self, state_dir: Path) -> None:
        """Written to a private temporary file first and moved into place, so a crash never leaves half a file."""
        state_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="bot", suffix=".tmp", dir=state_dir)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"id": self.bot_id, "token": self.token, "heartbeatIntervalMs": self.heartbeat_interval_ms},
                          out)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, state_dir / FILE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def forget(state_dir: Path) -> None:
        (state_dir / FILE).unlink(missing_ok=True)
