"""`strata serve` and `strata credentials` as a user runs them: default accounts,
restarts on the same data directory, config errors."""

import configparser
import json
import os
import subprocess

import botocore.config

from conftest import ACCOUNTS, start_server, strata_bin


def run_strata(*args):
    return subprocess.run([strata_bin(), *args], capture_output=True, text=True, timeout=60)


def test_default_accounts_are_generated_printed_and_kept(fresh_data_dir):
    data = fresh_data_dir / "data"
    s = start_server(data, config=None)
    try:
        assert "111111111111 source" in s.banner
        assert "222222222222 destination" in s.banner
        env = run_strata("credentials", "source", "--data-dir", str(data))
        assert env.returncode == 0, env.stderr
        exports = dict(
            line.removeprefix("export ").split("=", 1) for line in env.stdout.splitlines()
        )
        assert exports["AWS_ACCESS_KEY_ID"].startswith("AKIA")
        assert exports["AWS_ACCESS_KEY_ID"] in s.banner
        assert len(exports["AWS_SECRET_ACCESS_KEY"]) == 40
        assert exports["AWS_ENDPOINT_URL"] == s.endpoint
        out = s.aws(
            "sts",
            "get-caller-identity",
            env={
                "AWS_ACCESS_KEY_ID": exports["AWS_ACCESS_KEY_ID"],
                "AWS_SECRET_ACCESS_KEY": exports["AWS_SECRET_ACCESS_KEY"],
            },
        )
        assert json.loads(out.stdout)["Account"] == "111111111111"
        s.advance_clock(3600)
    finally:
        s.stop()

    # A restart on the same data directory keeps the accounts, keys and clock.
    s = start_server(data, config=None)
    try:
        assert exports["AWS_ACCESS_KEY_ID"] in s.banner
        assert json.loads(s.get("/_strata/clock"))["offset_seconds"] >= 3600
        out = s.aws(
            "sts",
            "get-caller-identity",
            account="destination",
            env={
                "AWS_ACCESS_KEY_ID": exports["AWS_ACCESS_KEY_ID"],
                "AWS_SECRET_ACCESS_KEY": exports["AWS_SECRET_ACCESS_KEY"],
            },
        )
        assert json.loads(out.stdout)["Account"] == "111111111111"
    finally:
        s.stop()


def test_aws_config_format_works_as_a_profile(fresh_data_dir):
    data = fresh_data_dir / "data"
    s = start_server(data, config=None)
    try:
        out = run_strata("credentials", "destination", "--format", "aws-config", "--data-dir", str(data))
        assert out.returncode == 0, out.stderr
        profile = configparser.ConfigParser()
        profile.read_string(out.stdout)
        assert profile["profile destination"]["endpoint_url"] == s.endpoint
        config_file = fresh_data_dir / "aws-config"
        config_file.write_text(out.stdout)
        # No --endpoint-url and no key variables: everything comes from the profile.
        cli = subprocess.run(
            ["aws", "--profile", "destination", "--output", "json", "sts", "get-caller-identity"],
            env={"PATH": __import__("os").environ["PATH"], "AWS_CONFIG_FILE": str(config_file),
                 "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "HOME": str(fresh_data_dir)},
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout)["Account"] == "222222222222"
    finally:
        s.stop()


def test_config_fixes_accounts_and_keys(server):
    for alias, (account_id, akid, _) in ACCOUNTS.items():
        assert f"{account_id} {alias}" in server.banner
        assert akid in server.banner


def test_unknown_account_names_the_known_ones(fresh_data_dir):
    config = fresh_data_dir / "c.toml"
    from conftest import CONFIG

    config.write_text(CONFIG)
    out = run_strata("credentials", "nobody", "--config", str(config))
    assert out.returncode != 0
    assert "111111111111 (source)" in out.stderr


def test_bad_config_stops_start_up_naming_the_line(fresh_data_dir):
    from conftest import CONFIG

    bad = CONFIG.replace('id = "222222222222"', 'id = "111111111111"')
    path = fresh_data_dir / "bad.toml"
    path.write_text(bad)
    out = run_strata("serve", "--port", "0", "--in-memory", "--config", str(path))
    assert out.returncode != 0
    line = bad.splitlines().index('id = "111111111111"', 3) + 1
    assert f"bad.toml:{line}: duplicate account id 111111111111" in out.stderr

    path.write_text(CONFIG.replace('"AKIADESTROOT00000001"', '"short"'))
    out = run_strata("serve", "--port", "0", "--in-memory", "--config", str(path))
    assert out.returncode != 0
    assert "access key id must be" in out.stderr



def modes(root):
    """The permission bits of every directory and file under `root` (itself included)."""
    out = {root: os.stat(root).st_mode & 0o777}
    for path, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(path, name)
            if not os.path.islink(full):
                out[full] = os.stat(full).st_mode & 0o777
    return out


def test_the_data_directory_is_private(fresh_data_dir):
    """Issue 21: secret keys live in the store, so the data directory is 0700 and everything
    strata writes in it 0600 (directories 0700): the store's files and the object files."""
    server = start_server(fresh_data_dir)
    try:
        s3 = server.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="private-bucket")
        s3.put_object(Bucket="private-bucket", Key="big", Body=b"x" * (1 << 20))
        server.client("kms").create_key()
    finally:
        server.stop()
    found = modes(str(fresh_data_dir))
    assert len(found) > 5, found
    for path, mode in found.items():
        expected = 0o700 if os.path.isdir(path) else 0o600
        assert mode == expected, f"{path}: {mode:o}"


def test_a_readable_data_directory_is_tightened_and_a_writable_one_refused(tmp_path):
    data = tmp_path / "older"
    data.mkdir()
    os.chmod(data, 0o755)
    (data / "left-by-an-older-strata").write_text("x")
    os.chmod(data / "left-by-an-older-strata", 0o644)
    start_server(data).stop()
    assert os.stat(data).st_mode & 0o777 == 0o700
    assert os.stat(data / "left-by-an-older-strata").st_mode & 0o777 == 0o600

    os.chmod(data, 0o777)
    out = subprocess.run(
        [strata_bin(), "serve", "--port", "0", "--data-dir", str(data)],
        capture_output=True, text=True, timeout=30,
    )
    assert out.returncode != 0
    assert f"data directory {data} is writable by others (mode 777)" in out.stderr
