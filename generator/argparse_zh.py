"""argparse in Chinese: usage, section titles, help and usage errors, for editors who read no English.

argparse builds its texts from English templates; the few a user sees are replaced here —
the usage prefix and section titles through the formatter and the parser, and the error
messages by their templates (a misspelt command or choice also gets the nearest valid one).
"""

from __future__ import annotations

import argparse
import re
import sys

from generator.content.advice import did_you_mean

_ERRORS = (
    (re.compile(r"the following arguments are required: (.*)"), "缺少必填参数：{0}"),
    (re.compile(r"one of the arguments (.*) is required"), "以下参数须填写一个：{0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "不认识的参数：{0}（可用 -h 查看全部参数）"),
    (re.compile(r"argument (.*?): invalid choice: '(.*)' \(choose from (.*)\)"), "参数 {0} 的值“{1}”无效，可选：{2}"),
    (re.compile(r"argument (.*?): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"argument (.*?): expected at least one argument"), "参数 {0} 后面至少需要一个值"),
    (re.compile(r"argument (.*?): invalid (.*?) value: '(.*)'"), "参数 {0} 的值“{2}”无效"),
    (re.compile(r"argument (.*?): not allowed with argument (.*)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"argument (.*?): ignored explicit argument '(.*)'"), "参数 {0} 不需要值（多余的“{1}”）"),
    (re.compile(r"ambiguous option: (.*?) could match (.*)"), "参数 {0} 不明确，可能是：{1}"),
    (re.compile(r"argument (.*?): (.*)"), "参数 {0}：{1}"),
)


def translate(message: str) -> str:
    for pattern, template in _ERRORS:
        match = pattern.fullmatch(message)
        if match:
            text = template.format(*(g.replace("'", "") for g in match.groups()))
            if "invalid choice" in message:
                choices = [c.strip(" '") for c in match.group(3).split(",")]
                suggestion = did_you_mean(match.group(2), choices)
                text += f"。{suggestion}" if suggestion else ""
            return text
    return message


class Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose every word a user sees is Chinese; subcommands inherit it."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        kwargs["add_help"] = False  # ours below, in Chinese
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示此帮助并退出")

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("title", "命令")
        kwargs.setdefault("metavar", "命令")
        return super().add_subparsers(**kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{translate(message)}\n")
