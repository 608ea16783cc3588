"""Files of one source in one batch: rolled over at a row limit, hashed as they are written."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
from pathlib import Path

from generator import lake
from generator.manifest import ManifestFile
from generator.records import CSV_HEADERS


def encode(lines: list[str]) -> bytes:
    """Lines to bytes; lone surrogates become the raw (non-UTF-8) bytes they stand for."""
    if not lines:
        return b""
    text = "\n".join(lines) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


class _HashingFile:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


class SourceSink:
    """Writes the records of one source for one batch, in as many files as it takes."""

    def __init__(
        self,
        root: Path,
        source: str,
        ingest_date: dt.date,
        written_at: dt.datetime,
        *,
        max_rows: int,
        gzip_files: bool,
    ) -> None:
        self.root = root
        self.source = source
        self.ingest_date = ingest_date
        self.written_at = written_at
        self.max_rows = max_rows
        self.gzip = gzip_files
        self.rows = 0  # records written so far, over every file
        self.files: list[ManifestFile] = []
        self._raw: _HashingFile | None = None
        self._out: io.RawIOBase | gzip.GzipFile | _HashingFile | None = None
        self._path = ""
        self._file_rows = 0

    @property
    def header(self) -> bytes:
        cols = CSV_HEADERS.get(self.source)
        return (",".join(cols) + "\n").encode() if cols else b""

    def next_path(self, seq: int) -> str:
        return lake.data_file_path(
            self.source, self.ingest_date, self.written_at, seq, gzip=self.gzip
        )

    def _open(self) -> None:
        self._path = self.next_path(len(self.files) + 1)
        self._raw = _HashingFile(self.root / self._path)
        if self.gzip:
            self._out = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
        else:
            self._out = self._raw
        self._out.write(self.header)
        self._file_rows = 0

    def _close_current(self) -> None:
        if self._out is None or self._raw is None:
            return
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
        self.files.append(
            ManifestFile(
                source=self.source,
                path=self._path,
                rows=self._file_rows,
                bytes=self._raw.size,
                sha256=self._raw.digest.hexdigest(),
            )
        )
        self._out = self._raw = None

    def position(self, offset: int) -> tuple[str, int]:
        """File path and record number of the record ``offset`` records into this sink."""
        seq, rec = divmod(offset, self.max_rows)
        return self.next_path(seq + 1), rec + 1

    def write(self, lines: list[str]) -> int:
        """Append lines; returns the offset of the first one."""
        return self.write_encoded(encode(lines), len(lines))

    def write_encoded(self, data: bytes, rows: int) -> int:
        """Append ``rows`` newline-terminated encoded records; returns the first's offset."""
        first = self.rows
        pos = 0
        while rows:
            if self._out is None:
                self._open()
            take = min(rows, self.max_rows - self._file_rows)
            end = len(data)
            if take < rows:  # split at the end of the take-th record
                end = pos
                for _ in range(take):
                    end = data.index(b"\n", end) + 1
            self._out.write(data[pos:end])
            pos = end
            self._file_rows += take
            self.rows += take
            rows -= take
            if self._file_rows >= self.max_rows:
                self._close_current()
        return first

    def close(self) -> list[ManifestFile]:
        self._close_current()
        return self.files

    def write_extra(self, seq: int, data: bytes, rows: int) -> ManifestFile:
        """A whole extra file (an empty file, a re-delivered one) under the next free name."""
        path = self.next_path(seq)
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return ManifestFile(
            source=self.source,
            path=path,
            rows=rows,
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )

    def empty_file_bytes(self) -> bytes:
        if not self.gzip:
            return self.header
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz:
            gz.write(self.header)
        return buffer.getvalue()
