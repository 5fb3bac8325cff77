"""Where the change-log key comes from, and the warnings when a deployment keeps it in the data
directory (where whoever reads the directory could sign a rewritten log) or lets others read it."""

import pytest
from django.core import checks as django_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from mamori.core import checks
from mamori.datadir import DataDir, LogKey, log_key


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return DataDir(path)


def test_the_environment_wins(data, tmp_path):
    key = log_key(data, {"MAMORI_LOG_KEY": "from-env", "MAMORI_LOG_KEY_FILE": "/nonexistent"})
    assert (key.value, key.file) == ("from-env", None)
    assert not (data.path / "log_key").exists()


def test_a_key_file_outside_the_data_directory(data, tmp_path):
    file = tmp_path / "etc" / "log_key"
    file.parent.mkdir()
    file.write_text("kept-elsewhere\n")
    file.chmod(0o400)
    key = log_key(data, {"MAMORI_LOG_KEY_FILE": str(file)})
    assert (key.value, key.file) == ("kept-elsewhere", file)
    assert not (data.path / "log_key").exists()


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_a_named_key_file_must_exist_and_hold_a_key(data, tmp_path, content):
    file = tmp_path / "log_key"
    if content is not None:
        file.write_text(content)
    with pytest.raises(ImproperlyConfigured, match="MAMORI_LOG_KEY_FILE"):
        log_key(data, {"MAMORI_LOG_KEY_FILE": str(file)})
    assert not (data.path / "log_key").exists()  # no key was made up instead


def test_by_default_the_key_is_read_from_the_data_directory_but_not_made_up(data):
    """Settings load before the database: the key is generated later, and only for an empty
    log (see test_changelog_guarantees)."""
    missing = log_key(data, {})
    assert missing == LogKey(None, data.path / "log_key")
    assert not missing.file.exists()
    data.secret("log_key")
    first = log_key(data, {})
    assert first.file == data.path / "log_key" and first.value
    assert (first.file.stat().st_mode & 0o777) == 0o600
    assert log_key(data, {}) == first


@pytest.fixture
def key_in_data_dir(settings, data):
    settings.DATA_DIR = data.path
    data.secret("log_key")
    settings.MAMORI_LOG_KEY_FILE = log_key(data, {}).file
    return settings.MAMORI_LOG_KEY_FILE


def ids(warnings):
    return [w.id for w in warnings]


def test_production_with_the_key_in_the_data_directory_warns(key_in_data_dir):
    warnings = checks.log_key_warnings(production=True)
    assert ids(warnings) == [checks.KEY_IN_DATA_DIR]
    assert str(key_in_data_dir) in warnings[0].msg
    assert "MAMORI_LOG_KEY_FILE" in warnings[0].hint


def test_the_embedded_demo_may_keep_the_key_in_the_data_directory(key_in_data_dir):
    assert checks.log_key_warnings(production=False) == []


def test_a_key_kept_elsewhere_is_not_warned_about(settings, data, tmp_path):
    settings.DATA_DIR = data.path
    file = tmp_path / "log_key"
    file.write_text("kept-elsewhere\n")
    file.chmod(0o440)  # a group (a systemd credential's) may read it
    settings.MAMORI_LOG_KEY_FILE = file
    assert checks.log_key_warnings(production=True) == []
    settings.MAMORI_LOG_KEY_FILE = None  # MAMORI_LOG_KEY from the environment
    assert checks.log_key_warnings(production=True) == []


@pytest.mark.parametrize("mode", [0o644, 0o620, 0o602])
def test_a_key_file_others_may_read_or_write_is_warned_about(settings, data, tmp_path, mode):
    settings.DATA_DIR = data.path
    file = tmp_path / "log_key"
    file.write_text("kept-elsewhere\n")
    file.chmod(mode)
    settings.MAMORI_LOG_KEY_FILE = file
    warnings = checks.log_key_warnings(production=False)
    assert ids(warnings) == [checks.KEY_FILE_OPEN_TO_OTHERS]
    assert f"{mode:04o}" in warnings[0].msg


def test_production_means_postgresql_without_debug(settings):
    settings.DEBUG = False
    assert checks.is_production() == (connection.vendor != "sqlite")
    settings.DEBUG = True
    assert checks.is_production() is False


def test_the_deploy_check_is_registered():
    assert checks.check_log_key in django_checks.registry.registry.get_checks(
        include_deployment_checks=True)
    assert checks.check_log_key not in django_checks.registry.registry.get_checks()


@pytest.mark.parametrize(("host", "others"), [
    ("127.0.0.1", False), ("::1", False), ("localhost", False),
    ("0.0.0.0", True), ("::", True), ("192.0.2.10", True), ("isms.example", True),  # noqa: S104
])
def test_serve_counts_an_address_others_reach_as_a_deployment(host, others):
    assert checks.serves_others(host) is others
