"""kombu's filesystem transport, made safe for a reader that polls while a writer writes.

Stock kombu writes a message file in place; a worker polling the folder can move it away
half-written and die on the JSON. Here a message is written under a temporary name that
consumers ignore and renamed into place when complete (rename is atomic).
"""
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = "{}_{}.{}.msg".format(int(round(monotonic() * 1000)), uuid.uuid4(), queue)
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as f:
                f.write(dumps(payload).encode("utf-8"))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def use_atomic_filesystem_transport():
    """Make `filesystem://` broker URLs use this transport in every process that loads Celery."""
    TRANSPORT_ALIASES["filesystem"] = "config.broker:Transport"
