import io
import stat
import zipfile
from pathlib import Path

import pytest

from app.courses.archive import Limits, unpack_course_zip
from app.errors import InvalidInput
from tests.factories import write_course, zip_folder

LIMITS = Limits(max_zip_bytes=1 << 20)


def zip_of(*members: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def refused(data: bytes, target: Path, limits: Limits = LIMITS) -> str:
    with pytest.raises(InvalidInput) as caught:
        unpack_course_zip(data, target, limits)
    return caught.value.message


class TestAcceptedLayouts:
    def test_course_at_the_top_of_the_zip(self, tmp_path: Path) -> None:
        data = zip_folder(write_course(tmp_path / "src"))
        root = unpack_course_zip(data, tmp_path / "out", LIMITS)
        assert root == tmp_path / "out"
        assert (root / "course.yaml").is_file() and (root / "m1/hinh/so-do.png").is_file()

    def test_course_inside_one_top_folder_with_desktop_junk(self, tmp_path: Path) -> None:
        folder = write_course(tmp_path / "src")
        buffer = io.BytesIO(zip_folder(folder, top="khoa-hoc-mau"))
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("__MACOSX/khoa-hoc-mau/._course.yaml", b"junk")
            archive.writestr("khoa-hoc-mau/.DS_Store", b"junk")
            archive.writestr("khoa-hoc-mau/m1/", b"")
        root = unpack_course_zip(buffer.getvalue(), tmp_path / "out", LIMITS)
        assert root == tmp_path / "out" / "khoa-hoc-mau"
        assert not (tmp_path / "out" / "__MACOSX").exists()
        assert not (root / ".DS_Store").exists()

    def test_windows_separators_and_decomposed_names_are_normalised(self, tmp_path: Path) -> None:
        data = zip_of(("course.yaml", b"id: x"), ("m1\\ba\u0300i.md", b"text"))
        root = unpack_course_zip(data, tmp_path, LIMITS)
        assert (root / "m1" / "bài.md").read_bytes() == b"text"


class TestRefused:
    def test_not_a_zip(self, tmp_path: Path) -> None:
        assert "not a zip" in refused(b"Ma can bo;Ho va ten\n", tmp_path)

    def test_empty_file(self, tmp_path: Path) -> None:
        assert refused(b"", tmp_path) == "The file is empty."

    def test_larger_than_the_upload_limit(self, tmp_path: Path) -> None:
        data = zip_folder(write_course(tmp_path / "src"))
        assert (
            refused(data, tmp_path / "out", Limits(max_zip_bytes=len(data) - 1)) == "The file is too large."
        )

    def test_no_course_yaml(self, tmp_path: Path) -> None:
        assert "No course.yaml" in refused(zip_of(("bai.md", b"x")), tmp_path)

    def test_course_yaml_two_folders_deep_or_beside_another_folder(self, tmp_path: Path) -> None:
        assert "No course.yaml" in refused(zip_of(("a/b/course.yaml", b"x")), tmp_path / "1")
        assert "No course.yaml" in refused(zip_of(("a/course.yaml", b"x"), ("b/x.md", b"x")), tmp_path / "2")

    @pytest.mark.parametrize("name", ["../evil.md", "m1/../../evil.md", "/etc/evil.md", "C:/evil.md"])
    def test_paths_leading_outside_the_folder(self, tmp_path: Path, name: str) -> None:
        message = refused(zip_of(("course.yaml", b"x"), (name, b"x")), tmp_path / "out")
        assert message == "The zip holds a file whose path leads outside the course folder."
        assert not (tmp_path / "evil.md").exists()

    def test_symbolic_link(self, tmp_path: Path) -> None:
        link = zipfile.ZipInfo("m1/bai.md")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        assert "symbolic link" in refused(zip_of(("course.yaml", b"x"), (link, b"/etc/passwd")), tmp_path)

    def test_too_many_members(self, tmp_path: Path) -> None:
        data = zip_of(*((f"f{i}.md", b"x") for i in range(11)))
        limits = Limits(max_zip_bytes=1 << 20, max_members=10)
        assert refused(data, tmp_path, limits) == "The zip holds too many files."

    def test_zip_bomb_by_declared_size(self, tmp_path: Path) -> None:
        data = zip_of(("course.yaml", b"x"), ("big.png", b"\0" * 200_000))
        assert len(data) < 2_000
        limits = Limits(max_zip_bytes=1 << 20, max_unpacked_bytes=100_000)
        assert refused(data, tmp_path, limits) == "The zip unpacks to more than the allowed size."
        assert not (tmp_path / "big.png").exists()

    def test_zip_bomb_whose_header_lies_about_its_size(self, tmp_path: Path) -> None:
        data = bytearray(zip_of(("course.yaml", b"x"), ("big.png", b"\0" * 200_000)))
        # Rewrite the uncompressed size in both headers of big.png to 10 bytes.
        real = (200_000).to_bytes(4, "little")
        while (at := data.find(real)) != -1:
            data[at : at + 4] = (10).to_bytes(4, "little")
        limits = Limits(max_zip_bytes=1 << 20, max_unpacked_bytes=100_000)
        assert refused(bytes(data), tmp_path, limits) in (
            "The zip unpacks to more than the allowed size.",
            "The zip archive is damaged or uses a compression method we cannot read.",
        )

    def test_password_protected(self, tmp_path: Path) -> None:
        data = bytearray(zip_of(("course.yaml", b"x")))
        info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
        # Set the 'encrypted' flag in the local and the central header.
        for at in (6, data.find(b"PK\x01\x02") + 8):
            data[at] |= 0x1
        assert info.flag_bits & 0x1 == 0
        assert "password" in refused(bytes(data), tmp_path)

    def test_the_same_name_twice(self, tmp_path: Path) -> None:
        data = zip_of(("course.yaml", b"x"), ("a.md", b"1"), ("./a.md", b"2"))
        assert refused(data, tmp_path) == "The zip holds two files with the same name."

    def test_a_file_and_a_folder_of_the_same_name(self, tmp_path: Path) -> None:
        data = zip_of(("course.yaml", b"x"), ("m1", b"1"), ("m1/a.md", b"2"))
        assert refused(data, tmp_path) == "The zip holds a file and a folder with the same name."

    def test_damaged_member(self, tmp_path: Path) -> None:
        text = "".join(f"dòng {i}: {i * i}\n" for i in range(300)).encode()
        data = bytearray(zip_of(("course.yaml", text)))
        data[100:120] = b"\xff" * 20  # inside the compressed bytes of course.yaml
        assert "damaged" in refused(bytes(data), tmp_path)
