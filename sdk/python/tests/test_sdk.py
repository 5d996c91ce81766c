"""The SDK outside a component: params, answers and failures as a command sees them."""

import dataclasses
import json
import unittest
from typing import Optional

from openclaw_plugin import Call, Failure, NoParams, Plugin, code

plugin = Plugin(caps=["demo"])


@dataclasses.dataclass
class Inner:
    tag: str


@dataclasses.dataclass
class Greet:
    name: str
    times: int = 1
    loud: Optional[bool] = None
    tags: list[Inner] = dataclasses.field(default_factory=list)


@plugin.command("demo.greet", "Greets")
def greet(_call: Call, params: Greet) -> dict:
    return {"greeting": f"Hello, {params.name}!" * params.times, "tags": [t.tag for t in params.tags]}


@plugin.command("demo.whoami", "Answers the call")
def whoami(call: Call, _: NoParams) -> Call:
    return call


@plugin.command("demo.parse", "Parses a number")
def parse(_call: Call, params: dict) -> dict:
    return {"n": int(params["n"])}


@plugin.command("demo.open", "Fails reading a file")
def open_missing(_call: Call, _: NoParams) -> dict:
    with open("/no/such/file", encoding="utf-8") as f:
        return {"text": f.read()}


def invoke(command, params):
    return json.loads(plugin.invoke(Call.local(), command, params))


def failure(command, params) -> Failure:
    try:
        plugin.invoke(Call.local(), command, params)
    except Failure as e:
        return e
    raise AssertionError(f"{command} did not fail")


class Sdk(unittest.TestCase):
    def test_typed_params_reach_the_command(self):
        answer = invoke("demo.greet", '{"name":"Ada","times":2,"tags":[{"tag":"x"}],"extra":1}')
        self.assertEqual(answer, {"greeting": "Hello, Ada!Hello, Ada!", "tags": ["x"]})

    def test_bad_params_are_the_callers_mistake(self):
        cases = {
            "{": "INVALID_REQUEST: paramsJSON malformed JSON",
            "{}": "INVALID_REQUEST: missing field `name` in params",
            '{"name":1}': "INVALID_REQUEST: params.name must be a string, not int",
            '{"name":"a","times":true}': "INVALID_REQUEST: params.times must be an integer, not bool",
            '{"name":"a","tags":[{}]}': "INVALID_REQUEST: missing field `tag` in params.tags[0]",
            "[]": "INVALID_REQUEST: params must be an object, not list",
        }
        for params, message in cases.items():
            e = failure("demo.greet", params)
            self.assertEqual((e.code, e.wire_message()), (code.INVALID_REQUEST, message), params)

    def test_a_command_without_params_takes_any_object_or_none(self):
        self.assertEqual(invoke("demo.whoami", None)["invoke_id"], "local")
        self.assertEqual(invoke("demo.whoami", '{"x":1}')["node_id"], "local")

    def test_common_errors_become_failures(self):
        e = failure("demo.parse", '{"n":"x"}')
        self.assertEqual(e.code, code.INVALID_REQUEST)
        self.assertIn("ValueError: invalid literal for int()", e.message)
        e = failure("demo.open", None)
        self.assertEqual(e.code, code.UNAVAILABLE)
        self.assertIn("No such file or directory", e.message)

    def test_a_capabilitys_failure_keeps_its_code(self):
        class Err(Exception):
            def __init__(self, value):
                self.value = value

        carried = Failure.of(Err(Failure("SYSTEM_RUN_DENIED", "denied")))
        self.assertEqual((carried.code, carried.message), ("SYSTEM_RUN_DENIED", "denied"))

    def test_the_code_prefixes_a_reason_once_on_the_wire(self):
        self.assertEqual(Failure.invalid("bins required").message, "bins required")
        self.assertEqual(str(Failure.invalid("bins required")), "INVALID_REQUEST: bins required")
        for worded in ["INVALID_REQUEST: bins required", "Error: INVALID_REQUEST: path required"]:
            self.assertEqual(Failure.invalid(worded).wire_message(), worded)
        self.assertEqual(Failure.unavailable("no camera").wire_message(), "no camera")

    def test_a_handler_takes_the_call_and_its_params(self):
        with self.assertRaisesRegex(TypeError, r"must take \(call, params\)"):

            @plugin.command("demo.bare", "Takes params alone")
            def bare(params: dict) -> dict:
                return params

    def test_unknown_commands_are_not_supported(self):
        e = failure("demo.nope", None)
        self.assertEqual((e.code, e.message), (code.UNAVAILABLE, "command not supported"))

    def test_capabilities_exist_only_in_a_component(self):
        with self.assertRaisesRegex(ImportError, "only inside the built component"):
            from openclaw_plugin import exec  # noqa: F401


if __name__ == "__main__":
    unittest.main()
