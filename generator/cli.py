"""Command line: `python -m generator <command>`; see docs/spec/interfaces.md.

Content problems print as `PATH:LINE:COLUMN: error: MESSAGE` and exit 1; a bug in the
generator keeps its traceback (it is ours to fix, not the editor's).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.argparse_zh import Parser
from generator.errors import ContentError, Problem


def shanghai_today() -> date:
    """Publication periods are judged by the calendar in China, whatever the server's zone."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from None


def _sheet_kinds() -> tuple[str, ...]:
    from generator.kinds import KINDS

    return tuple(name for name, kind in KINDS.items() if kind.columns is not None)


def _kind_words() -> tuple[str, ...]:
    """The words of `new <word>`: power, policy, board, measures, event (one per record kind)."""
    from generator.kinds import KINDS

    return tuple(k.word or k.name for k in KINDS.values())


def _print_problems(problems: list[Problem], style: str) -> None:
    for problem in problems:
        print(problem.format(style))
    errors = sum(1 for p in problems if p.severity == "error")
    if errors:
        print(f"发现 {errors} 个问题", file=sys.stderr)


def cmd_validate(args) -> int:
    from generator.checking import check, no_cycle_collection  # not pipeline: validate never imports the page stages

    # The loaded content is freed before the cyclic collector runs again: a collection over it
    # would find nothing (0.3 s at 25,000 records).
    with no_cycle_collection():
        content = check(args.content, args.today or shanghai_today(), cache=args.cache, publish=False)[0]
        problems, files = content.all_problems(), content.files
        del content
    _print_problems(problems, args.format)
    if any(p.severity == "error" for p in problems):
        return 1
    print(f"检查通过：{files} 个文件", file=sys.stderr)
    return 0


def cmd_build(args) -> int:
    from generator.pipeline import WHOLE, build, summary
    from generator.publish.write import DISK_FULL, OutputRefused, disk_full

    try:
        result = build(args.content, args.output, args.today or shanghai_today(),
                       log=lambda line: print(line, file=sys.stderr), quick_cleanup=True, cache=args.cache,
                       allow_drop=args.allow_drop, slice_=args.slice or WHOLE)
    except OutputRefused as exc:  # issue 10: a usage error; nothing was touched
        print(exc.format(), file=sys.stderr)
        return 2
    except ContentError as exc:
        _print_problems(exc.problems, args.format)
        print(f"未生成网站：{args.output} 保持不变", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno not in DISK_FULL:
            raise  # anything else is a bug of ours: keep the traceback
        print(disk_full(args.output), file=sys.stderr)
        return 1
    print(summary(result) + (f"（第 {args.slice} 片）" if args.slice else ""))
    return 0


def cmd_merge(args) -> int:
    from generator.pipeline import Timings, merge
    from generator.publish.write import OutputRefused

    timings = Timings()
    try:
        pages = merge(args.slices, args.output, timings=timings, quick_cleanup=True, allow_drop=args.allow_drop)
    except OutputRefused as exc:  # issue 10: a usage error; nothing was touched
        print(exc.format(), file=sys.stderr)
        return 2
    except ContentError as exc:
        _print_problems(exc.problems, args.format)
        print(f"未合并：{args.output} 保持不变", file=sys.stderr)
        return 1
    print(f"已合并 {len(args.slices)} 个分片：{pages:,} 个页面，用时 {timings.total():.1f} 秒")
    return 0


def _slice(text: str):
    from generator.publish.slices import Slice

    try:
        return Slice.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_serve(args) -> int:
    from generator.pipeline import REPO
    from generator.preview.serve import serve
    from generator.publish.write import OutputRefused, check_target

    try:
        check_target(args.output, args.content, REPO)  # issue 10: the preview replaces its folder too
    except OutputRefused as exc:
        print(exc.format(), file=sys.stderr)
        return 2
    return serve(args.content, args.output, args.port, today=args.today)


def cmd_schema(args) -> int:
    from generator.editing.schema import write_schemas

    for path in write_schemas(args.output):
        print(path)
    return 0


def cmd_fmt(args) -> int:
    from generator.editing.fmt import run_fmt

    return run_fmt(args.paths or [args.content], args.content, args.check, args.format)


def cmd_new(args) -> int:
    from generator.editing.scaffold import run_new

    from generator.kinds import KINDS

    kind = next(k.name for k in KINDS.values() if (k.word or k.name) == args.kind)
    return run_new(kind, args.id, args.content, args.department)


def cmd_import(args) -> int:
    from generator.editing.spreadsheet import run_import

    return run_import(args.file, args.content, kind=args.kind, department=args.department, allow_delete=args.allow_delete,
                      columns_file=args.columns, sheet=args.sheet, dry_run=args.dry_run)


def cmd_export(args) -> int:
    from generator.editing.spreadsheet import run_export

    return run_export(args.kind, args.output, args.content, args.department, args.columns, args.format)


def cmd_lint(args) -> int:
    from generator.editing.lint import run_lint

    return run_lint(args.content, args.today or shanghai_today(), args.format)


def cmd_compare(args) -> int:
    from generator.output.editions import main as compare

    return compare([args.ref_a, args.ref_b, "-o", str(args.output), "--content", str(args.content)])


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m generator", description="营商环境公开平台：由 YAML 内容生成静态网站")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, help_: str, func) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_)
        c.add_argument("--content", type=Path, default=Path("content"), help="内容目录（默认 content/）")
        c.add_argument("--format", choices=("text", "github"), default="text", help="问题输出格式")
        c.add_argument("--cache", type=lambda text: Path(text) if text else None, default=Path(".cache/parsed"),
                       help="已解析文件的缓存目录")
        c.add_argument("--no-cache", dest="cache", action="store_const", const=None, help="不使用缓存")
        c.set_defaults(func=func)
        return c

    c = command("validate", "检查全部内容文件", cmd_validate)
    c.add_argument("--today", type=_date, help="按此日期判断公示期（默认今天，北京时间）")
    c = command("build", "生成完整的静态网站", cmd_build)
    c.add_argument("-o", "--output", type=Path, default=Path("site"))
    c.add_argument("--slice", type=_slice, metavar="I/N",
                   help="只生成 N 个分片中的第 I 片（如 2/4），供并行的 CI 任务使用；再用 merge 合并为完整网站")
    c.add_argument("--today", type=_date, help="按此日期判断公示期（默认今天，北京时间）")
    c.add_argument("--allow-drop", action="store_true",  # issue 6: see generator/publish/manifest.py
                   help="允许比上次生成的网站减少一成以上的记录（例如整批删除事项）")
    c = sub.add_parser("merge", help="把 build --slice 生成的全部分片合并为完整网站（与一次 build 的结果逐字节相同）")
    c.add_argument("slices", nargs="+", type=Path, metavar="DIR", help="各分片的输出目录")
    c.add_argument("-o", "--output", type=Path, default=Path("site"))
    c.add_argument("--format", choices=("text", "github"), default="text", help="问题输出格式")
    c.add_argument("--allow-drop", action="store_true", help="允许比上次生成的网站减少一成以上的记录")
    c.set_defaults(func=cmd_merge)
    c = command("serve", "本地预览，文件变化时自动重新生成", cmd_serve)
    c.add_argument("-o", "--output", type=Path, default=Path(".cache/preview"))
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--today", type=_date)
    c = command("schema", "生成内容文件的 JSON Schema（供编辑器自动补全）", cmd_schema)
    c.add_argument("-o", "--output", type=Path, default=Path("schemas"))
    c = command("fmt", "把内容文件整理为规范格式（保留注释）", cmd_fmt)
    c.add_argument("--check", action="store_true", help="只检查，不改写；有文件需要整理时退出码为 1")
    c.add_argument("paths", nargs="*", type=Path, help="文件或目录（默认整个内容目录）")
    c = command("new", "新建一条记录的模板", cmd_new)
    c.add_argument("kind", choices=_kind_words())
    c.add_argument("--id", required=True, help="新记录的标识")
    c.add_argument("--department", help="部门标识（新建权责事项时必填）")
    kinds = _sheet_kinds()
    c = command("import", "从表格（.xlsx、.xls、.csv）导入记录：权责清单、政策、红黑榜、任务清单、一件事", cmd_import)
    c.add_argument("file", type=Path)
    c.add_argument("--kind", choices=kinds, help="记录类别（默认按表头判断）")
    c.add_argument("--department", help="部门标识（不填时按“部门”列、工作表名称或标题判断）")
    c.add_argument("--allow-delete", action="store_true", help="删除表格中没有的现有记录（仍被引用的不会删除）")
    c.add_argument("--dry-run", action="store_true", help="只检查并列出将要做的改动，不写入任何文件")
    c.add_argument("--columns", type=Path, help="补充的列名文件（格式同 generator/editing/columns.yaml）")
    c.add_argument("--sheet", help="只导入这个工作表（默认全部）")
    c = command("export", "把记录导出为表格（.xlsx、.csv）", cmd_export)
    c.add_argument("kind", choices=kinds)
    c.add_argument("-o", "--output", type=Path, required=True)
    c.add_argument("--department", help="只导出这个部门")
    c.add_argument("--columns", type=Path, help="列名对应文件（默认 generator/editing/columns.yaml）")
    c = command("lint", "提示临近或超过期限、内容不完整的记录（只警告）", cmd_lint)
    c.add_argument("--today", type=_date, help="按此日期判断期限（默认今天，北京时间）")
    c = command("compare", "比较两个版本（git 标签或提交）的权责清单，按部门列出增删改并导出 CSV", cmd_compare)
    c.add_argument("ref_a", help="旧版本，例如 2024版")
    c.add_argument("ref_b", help="新版本，例如 2025版")
    c.add_argument("-o", "--output", type=Path, required=True, help="输出目录")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code not in (0, None) else 0
    return args.func(args)
