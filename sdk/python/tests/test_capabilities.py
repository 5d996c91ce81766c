"""The capability modules against stand-ins of the bindings a component holds (`wit_world`):
what each wrapper passes to its binding, what it answers, and that a host failure is raised as
the SDK's `Failure`."""

import dataclasses
import enum
import importlib
import importlib.machinery
import pathlib
import re
import sys
import types
import unittest
from unittest import mock

import openclaw_plugin
from openclaw_plugin import Failure, code

WIT = pathlib.Path(__file__).resolve().parents[3] / "wit"
MODULES = [
    "notify", "location", "screen", "camera", "fs", "uploads", "exec", "exec_approvals", "browser",
    "browser_tabs", "browser_page", "browser_downloads", "browser_files",
]


class Err(Exception):
    """What a binding raises for the contract's `failure`, as componentize-py raises it."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value


def _camel(name):
    return "".join(part.capitalize() for part in name.split("-"))


def _snake(name):
    return name.replace("-", "_")


class Bindings(unittest.TestCase):
    """Each test sees `wit_world` made from `wit/`: records as dataclasses, enums as `Enum`s,
    and functions that keep their calls and answer what the test set in `self.answers`."""

    def setUp(self):
        self.calls = []
        self.answers = {}
        world = types.ModuleType("wit_world")
        world.__spec__ = importlib.machinery.ModuleSpec("wit_world", None)
        fakes = {"wit_world": world, "wit_world.imports": types.ModuleType("wit_world.imports")}
        for path in WIT.glob("*.wit"):
            fakes[f"wit_world.imports.{_snake(path.stem)}"] = self._binding(path)
        patched = mock.patch.dict(sys.modules, fakes)
        patched.start()
        self.addCleanup(patched.stop)
        self._forget_capabilities()
        self.addCleanup(self._forget_capabilities)

    def _forget_capabilities(self):
        for name in MODULES:
            sys.modules.pop(f"openclaw_plugin.{name}", None)
            if name in vars(openclaw_plugin):
                delattr(openclaw_plugin, name)

    def _binding(self, path):
        text = path.read_text()
        binding = types.ModuleType(f"wit_world.imports.{_snake(path.stem)}")
        declared = re.findall(r"^ {4}(record|enum) ([a-z0-9-]+) \{(.*?)^ {4}\}", text, re.M | re.S)
        for kind, name, body in declared:
            items = [_snake(i) for i in re.findall(r"^ {8}([a-z0-9-]+)", body, re.M)]
            if kind == "record":
                made = dataclasses.make_dataclass(_camel(name), items)
            else:
                made = enum.Enum(_camel(name), [i.upper() for i in items])
            setattr(binding, _camel(name), made)
        for function in re.findall(r"^ {4}([a-z0-9-]+): func", text, re.M):
            setattr(binding, _snake(function), self._function(_snake(function)))
        return binding

    def _function(self, name):
        def call(*args):
            self.calls.append((name, args))
            answer = self.answers.get(name)
            if isinstance(answer, BaseException):
                raise answer
            return answer

        return call

    def sdk(self, name):
        return importlib.import_module(f"openclaw_plugin.{name}")

    def test_each_wrapper_passes_its_binding_keyword_options_with_defaults(self):
        n, f, b, u = (self.sdk(m) for m in ("notify", "fs", "browser", "browser_files"))
        video = "/dev/video0"
        # (module, the wrapper's call, the binding it calls, with these arguments)
        cases = [
            ("notify", lambda m: m.send("hi"), "send", (n.Notification("hi", "", None, n.Urgency.NORMAL),)),
            (
                "notify",
                lambda m: m.send("hi", "there", sound="bell", urgency="critical"),
                "send",
                (n.Notification("hi", "there", "bell", n.Urgency.CRITICAL),),
            ),
            ("location", lambda m: m.current(), "current", (None, 10_000)),
            ("location", lambda m: m.current(max_age_ms=0, timeout_ms=500), "current", (0, 500)),
            ("screen", lambda m: m.capture(fps=5), "capture", (0, 10_000, 5)),
            ("camera", lambda m: m.snap(video), "snap", (video, 1600, 90)),
            (
                "camera",
                lambda m: m.snap_delayed(video, 2000, quality=50),
                "snap_delayed",
                (video, 1600, 50, 2000),
            ),
            ("camera", lambda m: m.capture_clip(video), "capture_clip", (video, 3000)),
            ("fs", lambda m: m.read_file("/a", 1024), "read_file", ("/a", 1024)),
            ("fs", lambda m: m.write_file("/a", b"x"), "write_file", ("/a", b"x", f.Existing.KEEP, False)),
            (
                "fs",
                lambda m: m.write_file("/a", b"x", existing="replace", create_parents=True),
                "write_file",
                ("/a", b"x", f.Existing.REPLACE, True),
            ),
            ("uploads", lambda m: m.stage("a.txt", b"x"), "stage", ("a.txt", b"x")),
            ("exec_approvals", lambda m: m.set("{}"), "set", ("{}", None)),
            ("browser", lambda m: m.present(width=800), "present", (b.Placement(None, None, 800, None),)),
            (
                "browser",
                lambda m: m.capture(),
                "capture",
                (b.CaptureOptions(b.ImageFormat.PNG, None, None),),
            ),
            ("browser", lambda m: m.evaluate("1"), "evaluate", ("1", 30_000)),
            (
                "browser",
                lambda m: m.control("GET", "/json", query={"a": "1"}),
                "control",
                (b.ControlRequest("GET", "/json", [("a", "1")], None, 30_000),),
            ),
            ("browser_tabs", lambda m: m.start(), "start", (None,)),
            (
                "browser_tabs",
                lambda m: m.open_tab("about:blank", label="x"),
                "open_tab",
                ("about:blank", "x"),
            ),
            (
                "browser_page",
                lambda m: m.send("t1",
                "Page.reload"), "send",
                ("t1", "Page.reload", "{}", 30_000),
            ),
            ("browser_page", lambda m: m.logs("t1", clear_errors=True), "logs", ("t1", True, False)),
            (
                "browser_page",
                lambda m: m.answer_dialog("t1", True, prompt_text="y"),
                "answer_dialog",
                ("t1", None, True, "y"),
            ),
            (
                "browser_page",
                lambda m: m.arm_dialog("t1", False),
                "arm_dialog",
                ("t1", False, None, 120_000),
            ),
            ("browser_downloads", lambda m: m.arm_download("t1"), "arm_download", ("t1", None)),
            ("browser_downloads", lambda m: m.await_download(4), "await_download", (4, 30_000)),
            ("browser_downloads", lambda m: m.collect_downloads(2), "collect_downloads", (2, False)),
            (
                "browser_files",
                lambda m: m.arm_file_chooser("t1", ("/u/a",)),
                "arm_file_chooser",
                ("t1", ["/u/a"], 120_000),
            ),
            (
                "browser_files",
                lambda m: m.stage_upload({"a": b"x"}),
                "stage_upload",
                ([u.UploadFile("a", b"x")],),
            ),
        ]
        for module, call, function, args in cases:
            with self.subTest(f"{module}.{function}{args}"):
                self.calls.clear()
                self.answers[function] = answer = object()
                answered = call(self.sdk(module))
                self.assertEqual(self.calls, [(function, args)])
                if answered is not None:
                    self.assertIs(answered, answer)

    def test_a_host_failure_is_raised_as_the_sdks_failure_with_its_code(self):
        for module, call, function in [
            ("notify", lambda m: m.send("x"), "send"),
            ("fs", lambda m: m.read_file("/a", 1), "read_file"),
            ("browser", lambda m: m.hide(), "hide"),
            ("browser_tabs", lambda m: m.tabs(), "tabs"),
            ("browser_page", lambda m: m.keep_note("t1", "k", "v"), "keep_note"),
            ("browser_files", lambda m: m.discard_upload("/u/1/a"), "discard_upload"),
            ("exec_approvals", lambda m: m.get(), "get"),
            ("exec", lambda m: m.run(["ls"]), "run"),
        ]:
            m = self.sdk(module)
            failure = types.SimpleNamespace(code="ENOENT", message="ENOENT: no such file")
            self.answers[function] = Err(failure)
            with self.assertRaises(Failure, msg=module) as raised:
                call(m)
            e = raised.exception
            self.assertEqual((e.code, e.message), (failure.code, failure.message))

    def test_an_enum_case_is_given_by_name_and_a_wrong_one_is_the_callers_mistake(self):
        with self.assertRaises(Failure) as raised:
            self.sdk("notify").send("x", urgency="loud")
        self.assertEqual(raised.exception.code, code.INVALID_REQUEST)
        self.assertIn("'loud' is not one of low, normal, critical", raised.exception.message)

    def test_what_needs_no_reshaping_is_the_binding_and_every_module_keeps_it_as_raw(self):
        tabs = self.sdk("browser_tabs")
        self.assertIs(tabs.status, tabs.raw.status)
        for name in MODULES:
            self.assertIs(self.sdk(name).raw, sys.modules[f"wit_world.imports.{name}"], name)

    def test_exec_takes_keyword_options_and_answers_which_as_a_dict(self):
        e = self.sdk("exec")
        self.answers["run"] = "out"
        self.assertEqual(e.run(["ls"], env={"A": "1"}, timeout_ms=50), "out")
        request = e.RunRequest(["ls"], None, None, [("A", "1")], 50, None, None, None, True)
        self.assertEqual(self.calls, [("run", (request,))])
        self.answers["which"] = [("sh", "/bin/sh")]
        self.assertEqual(e.which(["sh", "nope"]), {"sh": "/bin/sh"})


if __name__ == "__main__":
    unittest.main()
