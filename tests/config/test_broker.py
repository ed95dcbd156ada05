"""The embedded filesystem broker never exposes a half-written message to a consumer."""
from kombu import Connection

from config.broker import Transport


def _connection(folder):
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder),
               "processed_folder": str(folder)}
    return Connection("filesystem://", transport_options=options)


def test_filesystem_urls_use_the_atomic_transport(tmp_path):
    with _connection(tmp_path) as connection:
        assert isinstance(connection.transport, Transport)


def test_messages_appear_complete_and_partial_files_are_ignored(tmp_path):
    (tmp_path / ".123_x.jobs.msg.partial").write_bytes(b'{"half":')
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("jobs")
        queue.put({"job": 1})
        assert len(list(tmp_path.glob("[0-9]*.jobs.msg"))) == 1
        # the new message was renamed into place: only the seeded partial file is left
        assert [p.name for p in tmp_path.glob(".*.partial")] == [".123_x.jobs.msg.partial"]
        message = queue.get(timeout=2)
        assert message.payload == {"job": 1}
        message.ack()
        queue.close()
    assert (tmp_path / ".123_x.jobs.msg.partial").exists()  # never picked up as a message
