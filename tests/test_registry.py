"""Registry entries declare their topic's ``tf-course`` subcommands; ``cli`` discovers and dispatches them."""

from __future__ import annotations

import argparse
import subprocess
import sys
import types

import pytest

from tf_course import cli, registry
from tf_course.registry import Assignment, import_target

FAKE_MODULE = "tf_course_fake_topic_command"  # registered in sys.modules by the fixture, never on disk


@pytest.fixture
def fake_topic(monkeypatch):
    """A fake topic whose registry entry declares ``tf-course hello NAME [--shout]`` (exit status 7)."""
    calls: list[argparse.Namespace] = []

    def handler(args: argparse.Namespace) -> int:
        calls.append(args)
        print(f"hello {args.who.upper() if args.shout else args.who}")
        return 7

    def register(subparsers: argparse._SubParsersAction) -> None:
        hello = subparsers.add_parser("hello", help="greet someone (a fake topic's command)")
        hello.add_argument("who", metavar="NAME")
        hello.add_argument("--shout", action="store_true")
        hello.set_defaults(handler=handler)

    module = types.ModuleType(FAKE_MODULE)
    module.register = register
    monkeypatch.setitem(sys.modules, FAKE_MODULE, module)
    entry = Assignment("fake_topic", "C9W9", "A fake topic", commands=(f"{FAKE_MODULE}:register",))
    monkeypatch.setattr(registry, "ASSIGNMENTS", (*registry.ASSIGNMENTS, entry))
    return calls


def test_a_registry_entrys_command_is_discovered_and_dispatched(fake_topic, capsys):
    assert cli.main(["hello", "ada", "--shout"]) == 7
    assert capsys.readouterr().out == "hello ADA\n"
    (args,) = fake_topic
    assert args.command == "hello" and args.who == "ada" and args.shout is True
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    listed = " ".join(capsys.readouterr().out.split())
    assert "greet someone (a fake topic's command)" in listed and "detect" in listed


def test_the_built_in_commands_still_dispatch_beside_a_topic_command(fake_topic, capsys):
    assert cli.main(["list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split()[:2] == ["fake_topic", "C9W9"]
    assert fake_topic == []


def test_two_entries_declaring_one_command_name_are_refused(fake_topic, monkeypatch):
    twin = Assignment("fake_twin", "C9W9", "Another fake topic", commands=(f"{FAKE_MODULE}:register",))
    monkeypatch.setattr(registry, "ASSIGNMENTS", (*registry.ASSIGNMENTS, twin))
    with pytest.raises(ValueError, match=r"fake_twin: .*expected a command name no other entry uses, found .*hello"):
        cli.main(["list"])


def test_import_target_wants_module_colon_function():
    assert import_target("tf_course.registry:get") is registry.get
    with pytest.raises(ValueError, match=r"expected 'module:function', found 'tf_course.registry'"):
        import_target("tf_course.registry")
    with pytest.raises(ModuleNotFoundError, match="tf_course.no_such_module"):
        import_target("tf_course.no_such_module:register")


def test_yolo_declares_detect_and_takes_weights():
    yolo = registry.get("yolo")
    assert yolo.commands == ("tf_course.detection.command:register",)
    assert yolo.takes_weights and "yolo.h5" in yolo.weights_help
    # every entry that takes --weights says what it accepts; every declared registrar can be found
    assert all(a.weights_help for a in registry.ASSIGNMENTS if a.takes_weights)
    for a in registry.ASSIGNMENTS:
        assert all(callable(register) for register in a.command_registrars()), a.name


def test_detect_help_and_defaults_without_importing_tensorflow():
    code = (
        "import sys\n"
        "from tf_course import cli\n"
        "args = cli._parser().parse_args(['detect', 'a.jpg'])\n"
        "print(args.images, args.weights, args.models, args.data_dir, args.out, args.max_boxes,\n"
        "      args.score_threshold, args.iou_threshold, args.handler.__module__)\n"
        "for argv in (['--help'], ['detect', '--help']):\n"
        "    try:\n"
        "        cli.main(argv)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    first, *helps = out.splitlines()
    # None: the course's 10 / 0.3 / 0.5 with --weights, the export's own settings without
    assert first == "['a.jpg'] None saved_models/yolo None out None None None tf_course.detection.command"
    text = " ".join(" ".join(helps).split())  # argparse wraps help text to the terminal width
    assert "detect objects in images with YOLO; print boxes, save annotated copies" in text  # tf-course --help
    for option in ("--weights", "--models", "--data-dir", "--out", "--max-boxes", "--score-threshold",
                   "--iou-threshold"):
        assert option in text
    assert "usage: tf-course detect [-h]" in text


def test_run_weights_help_comes_from_the_registry(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    takers = [a for a in registry.ASSIGNMENTS if a.takes_weights]
    assert "pretrained weights for the one assignment named (" in text
    assert "); default: train the offline model" in text
    for a in takers:  # "name: what it accepts", in registry order, joined by "; "
        assert f"{a.name}: {' '.join(a.weights_help.split())}" in text
    assert ("yolo: the course's yolo.h5, Darknet yolov2.cfg/.weights, or a .keras file") in text


def test_detect_without_images_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["detect"])
    assert exc.value.code == 2
    assert "the following arguments are required: IMAGE" in capsys.readouterr().err


def test_lookup_errors_say_what_was_expected_and_found(capsys, tmp_path, monkeypatch):
    with pytest.raises(KeyError, match=r"expected an assignment name \(logistic_regression, .*, trigger_word\), "
                                       r"found unknown assignment 'nope'"):
        registry.get("nope")
    with pytest.raises(NotImplementedError, match="expected an implemented assignment, found 'x': not implemented"):
        Assignment("x", "C0W0", "Not yet").load()
    planned = [Assignment("planned_a", "C9W1", "Planned A"), Assignment("planned_b", "C9W2", "Planned B")]
    monkeypatch.setattr(registry, "ASSIGNMENTS", (*registry.ASSIGNMENTS, *planned))
    monkeypatch.setattr(registry, "BY_NAME", {a.name: a for a in registry.ASSIGNMENTS})
    assert cli.main(["run", "planned_a", "logistic_regression", "planned_b", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("tf-course: expected implemented assignments, found not implemented yet: "
                                       "planned_a, planned_b (see `tf-course list`)\n")
    assert not (tmp_path / "logistic_regression").exists()  # refused before anything ran
