"""Storage for files that must never be reachable by URL: attachments and generated reports."""

from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    """A file system storage without URLs: such files are only streamed by views that check access."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks permission.")
