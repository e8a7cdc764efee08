"""The ``--help`` texts of every command, in the CLI catalogue (imported only for --help).

Keys (``lctasks.cli.help`` reads them): ``cmd.<path>`` the summary (its first
sentence is the line in the command list), ``cmd.<path>.example`` command lines,
one a line, ``cmd.<path>.<parameter>`` a parameter's help, and ``cmd.opt.<parameter>``
for an option many commands share. The workflow commands' texts are declared with
their options in ``lctasks.cli.spec`` and added here. A new command needs its
entries here: ``tests/unit/test_help.py`` walks every command and fails without them.
"""

from __future__ import annotations

from lctasks.cli.spec import COMMANDS, GLOBAL
from lctasks.i18n import CLI as MESSAGES

# the workflow commands and the global options: one declaration, in lctasks.cli.spec
MESSAGES.add({f"cmd.{c.name}": c.help for c in COMMANDS})
MESSAGES.add({f"cmd.{c.name}.example": (c.example, c.example) for c in COMMANDS})
MESSAGES.add({f"cmd.{c.name}.{c.positional}": c.arg_help for c in COMMANDS})
MESSAGES.add({f"cmd.{c.name}.{o.dest}": o.help for c in COMMANDS for o in c.options})
MESSAGES.add({f"cmd.root.{o.dest}": o.help for o in GLOBAL})

MESSAGES.add(
    {
        # -- options many commands share ----------------------------------------
        "cmd.opt.json_": ("以 JSON 输出到标准输出。", "JSON on stdout."),
        "cmd.opt.as_json": ("以 JSON 输出到标准输出。", "JSON on stdout."),
        "cmd.opt.csv": (
            "以 CSV（UTF-8）输出表格，便于用电子表格打开。",
            "The table as CSV (UTF-8), for a spreadsheet.",
        ),
        "cmd.opt.as_of": (
            "按此日期计算红黄绿灯（默认今天）。",
            "Date the lights are computed for (default today).",
        ),
        # -- lctasks ---------------------------------------------------------------
        "cmd.root": (
            "聊城市“十四五”规划任务台账：任务、责任单位、期限、进展、销号。"
            "不带命令在终端中运行时打开工作台（TUI）。",
            "聊城市“十四五”规划任务台账 — plan tasks, owners, deadlines, progress, 销号. "
            "With no command in a terminal it opens the workbench (TUI).",
        ),
        "cmd.root.example": (
            "lctasks import\nlctasks list --unit kjj --light 红灯\n"
            "lctasks show C10.M03\nLCTASKS_LANG=en lctasks --help",
            "lctasks import\nlctasks list --unit kjj --light red\n"
            "lctasks show C10.M03\nLCTASKS_LANG=zh lctasks --help",
        ),
        "cmd.root.version": ("显示版本号。", "Show the version."),
        "cmd.root.install_completion": (
            "为当前 shell（bash、zsh、fish）安装命令补全。",
            "Install completion for the current shell (bash, zsh, fish).",
        ),
        "cmd.root.show_completion": (
            "显示当前 shell 的补全脚本，可复制或自行安装。",
            "Show completion for the current shell, to copy it or customize the installation.",
        ),
        # -- plan ----------------------------------------------------------------
        "cmd.plan": (
            "规划目录树（篇 → 章 → 节、专栏）及各级任务数，另附覆盖情况报告。",
            "The plan as a tree (篇 → 章 → 节, 专栏) with task counts, and the coverage report.",
        ),
        "cmd.plan.example": (
            "lctasks plan\nlctasks plan --json",
            "lctasks plan\nlctasks plan --json",
        ),
        "cmd.plan.json_": ("目录和覆盖情况以 JSON 输出。", "Outline and coverage as JSON."),
        # -- list ----------------------------------------------------------------
        "cmd.list": (
            "列出任务，可筛选：同一类选项之间为“或”，不同类之间为“且”。",
            "List tasks, filtered (options of one kind combine with OR, different kinds with AND).",
        ),
        "cmd.list.example": (
            "lctasks list --unit kjj --light 红灯\nlctasks list --chapter 10 --status 推进中\n"
            "lctasks list --due-before 年底 --csv > 年底到期.csv\n"
            "lctasks list --fields id,title,owners",
            "lctasks list --unit kjj --light red\nlctasks list --chapter 10 --status in_progress\n"
            "lctasks list --due-before 2026-12-31 --csv > due.csv\n"
            "lctasks list --fields id,title,owners",
        ),
        "cmd.list.chapter": ("章号（可重复）。", "Chapter number (repeatable)."),
        "cmd.list.kind": (
            "任务类型：举措、重点项目、指标、目标、章任务（或 measure、project …）。",
            "measure | project | indicator | goal | chapter (or 举措 …).",
        ),
        "cmd.list.unit": (
            "牵头或配合单位，怎么打都行（kjj、科技局）。",
            "Lead or co-unit, as you type it (kjj, 科技局).",
        ),
        "cmd.list.status": (
            "状态：未启动、推进中、受阻、已完成 …（或 not_started、in_progress …）。",
            "not_started | in_progress | blocked | done | … (or 推进中 …).",
        ),
        "cmd.list.light": (
            "预警灯：红灯、黄灯、绿灯（或 red、yellow、green）。",
            "red | yellow | green.",
        ),
        "cmd.list.text": (
            "编号、标题或原文中含有的文字。",
            "Text in the ID, title or source text.",
        ),
        "cmd.list.due_before": (
            "截止日期不晚于（2025-12-31、2025年底、月底）。",
            "Due on or before (2025-12-31, 2025年底).",
        ),
        "cmd.list.due_after": ("截止日期不早于。", "Due on or after."),
        "cmd.list.unassigned": ("只列尚无牵头单位的任务。", "Only tasks with no lead unit yet."),
        "cmd.list.removed": (
            "也列出已从规划文本中删去的任务。",
            "Also tasks gone from the plan text.",
        ),
        "cmd.list.order": (
            "排序：plan（规划顺序）、due、key、updated。",
            "plan | due | key | updated.",
        ),
        "cmd.list.limit": ("最多列出 N 个任务。", "At most N tasks."),
        "cmd.list.offset": ("跳过前 N 个。", "Skip the first N."),
        "cmd.list.json_": ("以一个 JSON 数组输出到标准输出。", "One JSON array on stdout."),
        "cmd.list.fields": (
            "以 JSON 输出 `show --json` 的这些字段（a,b,… 或 all），如 "
            "id,title,source_text,checklist,owners,where；隐含 --json。",
            "JSON with these fields of `show --json` (a,b,… or all): e.g. "
            "id,title,source_text,checklist,owners,where. Implies --json.",
        ),
        # -- show ----------------------------------------------------------------
        "cmd.show": (
            "查看一个任务：原文、在规划中的位置、清单和目标、责任单位、期限、办结情况。",
            "One task: source text, place in the plan, checklist and targets, owners, deadline.",
        ),
        "cmd.show.example": (
            "lctasks show C10.M03\nlctasks show I07 --json",
            "lctasks show C10.M03\nlctasks show I07 --json",
        ),
        "cmd.show.task_id": ("任务编号，如 C10.M03。", "Task ID, e.g. C10.M03."),
        # -- import --------------------------------------------------------------
        "cmd.import": (
            "导入（或重新导入）规划。重新导入保留每个编号、责任单位、状态和历史。",
            "(Re)import a plan. Re-importing keeps every ID, owner, status and history entry.",
        ),
        "cmd.import.example": (
            "lctasks import\nlctasks import 修订稿.txt --code lc-14th",
            "lctasks import\nlctasks import revised.txt --code lc-14th",
        ),
        "cmd.import.file": (
            "规划文本（UTF-8 或 GBK）；不写则导入随附的规划。",
            "Plan text (UTF-8/GBK); the bundled plan if omitted.",
        ),
        "cmd.import.code": (
            "保存用的规划代码（默认取自文本）。",
            "Plan code to store it under (default: from the text).",
        ),
        "cmd.import.json_": ("导入结果以 JSON 输出。", "The result as JSON on stdout."),
        # -- units ---------------------------------------------------------------
        "cmd.units": (
            "责任单位名录：市直部门、县（市、区）、开发区、党委部门、人大、政协、群团。",
            "The owner units (责任单位): city departments, counties and districts, development "
            "zones, Party departments, the people's congress, the CPPCC, mass organisations.",
        ),
        "cmd.units.example": (
            "lctasks units\nlctasks units --find kjj",
            "lctasks units\nlctasks units --find kjj",
        ),
        "cmd.units.find": (
            "查找与此相近的单位（全称、简称、拼音、首字母）。",
            "Units like this text (name, alias, pinyin, initials).",
        ),
        "cmd.units.limit": ("最多 N 个结果。", "At most N matches."),
        # -- history, log, report ------------------------------------------------
        "cmd.history": (
            "一个任务的全部修改，从早到晚：谁、何时、从哪里、旧值 → 新值、原因。",
            "Every change to one task, oldest first: who, when, from where, old → new, why.",
        ),
        "cmd.history.example": (
            "lctasks history C10.M03\nlctasks history C10.M03 --csv > C10.M03.csv",
            "lctasks history C10.M03\nlctasks history C10.M03 --csv > C10.M03.csv",
        ),
        "cmd.history.task_id": ("任务编号，如 C10.M03。", "Task ID, e.g. C10.M03."),
        "cmd.log": (
            "全部事件，从新到旧，可筛选；--verify 检查历史没有被改动或删除。",
            "All events, newest first, filtered; --verify checks that none was edited or deleted.",
        ),
        "cmd.log.example": (
            "lctasks log --since 2026-11-01 --action 销号\nlctasks log --verify\n"
            "lctasks log --anchor --out 锚点.txt",
            "lctasks log --since 2026-11-01 --action close\nlctasks log --verify\n"
            "lctasks log --anchor --out anchors.txt",
        ),
        "cmd.log.task": ("只看这个任务。", "Only this task ID."),
        "cmd.log.actor": ("只看这个人。", "Only this person."),
        "cmd.log.action": (
            "只看这种操作：分配、销号、退回、延期、备注 …（或 assign、close …）。",
            "assign, close, return, extend, note … (or 销号 …).",
        ),
        "cmd.log.source": (
            "只看此来源：cli、tui、import、rule、review。",
            "cli, tui, import, rule, review.",
        ),
        "cmd.log.since": ("从这一天起。", "From this date."),
        "cmd.log.until": ("到这一天止。", "Up to this date."),
        "cmd.log.limit": ("只看最新的 N 条。", "The newest N."),
        "cmd.log.verify": (
            "检查历史：哈希链、密钥链、锚点，并逐个任务重放。",
            "Check the history: hash chain, keyed chain, anchors, replay of every task.",
        ),
        "cmd.log.against": (
            "与 --verify 同用：锚点文件、快照、会议材料、报送表，其中的历史点须仍在链上。",
            "With --verify: anchor files, snapshots, packs, workbooks whose history points "
            "must still be in the chain.",
        ),
        "cmd.log.chain_only": (
            "与 --verify 同用：不逐个任务重放。",
            "With --verify: skip the replay of tasks.",
        ),
        "cmd.log.anchor": (
            "输出最新的历史点（锚点）。",
            "Print the newest history point (an anchor).",
        ),
        "cmd.log.anchor_out": (
            "与 --anchor 同用：追加到这个锚点文件。",
            "With --anchor: append it to this anchor file.",
        ),
        "cmd.log.rotate_key": (
            "在密钥文件中加一把新的链密钥，并记录这次轮换（一个事件）。",
            "Add a new chain key to the key file and record the rotation (an event).",
        ),
        "cmd.log.files": ("更多 --against 文件。", "More files for --against."),
        "cmd.report": (
            "汇总：任务数、完成率、红黄灯数和逾期清单，按单位或按章。",
            "Totals, done %, red/yellow counts and the overdue list, by unit or by chapter.",
        ),
        "cmd.report.example": (
            "lctasks report\nlctasks report --by chapter --overdue 0\n"
            "lctasks report --csv > 汇总.csv",
            "lctasks report\nlctasks report --by chapter --overdue 0\n"
            "lctasks report --csv > report.csv",
        ),
        "cmd.report.by": (
            "按牵头单位（unit）或按章（chapter）分行。",
            "Rows per lead unit (牵头单位) or per chapter (章).",
        ),
        "cmd.report.overdue": (
            "列出的逾期任务数（逾期最久的在前；0 为全部）。",
            "Overdue tasks listed (most overdue first; 0: all).",
        ),
        # -- tui -----------------------------------------------------------------
        "cmd.tui": (
            "打开终端工作台（在终端中不带命令运行 lctasks 也会打开）。",
            "Open the terminal UI (also: `lctasks` with no command in a terminal).",
        ),
        "cmd.tui.example": (
            "lctasks tui\nlctasks tui --unit 市科技局",
            "lctasks tui\nlctasks tui --unit 市科技局",
        ),
        "cmd.tui.as_of": (
            "按此日期判断红黄绿灯和期限。",
            "Judge lights and deadlines as of this date.",
        ),
        "cmd.tui.poll": (
            "每隔几秒检查一次他人的修改。",
            "Seconds between checks for others' changes.",
        ),
        "cmd.tui.unit": (
            "你的单位，用于“本单位”视图（默认取自 people）。",
            "Your unit, for the 'my unit' view (default: from `people`).",
        ),
        # -- snapshots and office files -------------------------------------------
        "cmd.export": (
            "为调度会导出 TOML 状态快照，或导出各单位的报送表（xlsx）。",
            "Write a TOML status snapshot for a review meeting (调度会), or unit workbooks (xlsx).",
        ),
        "cmd.export.example": (
            "lctasks export --out 调度会.toml\n"
            "lctasks export --since 上次.toml --out 本次.toml\n"
            "lctasks export --format xlsx --unit 市科技局 --out 市科技局.xlsx",
            "lctasks export --out review.toml\n"
            "lctasks export --since last.toml --out this.toml\n"
            "lctasks export --format xlsx --unit 市科技局 --out kjj.xlsx",
        ),
        "cmd.export.out_file": (
            "写入此文件（先写临时文件再替换）；- 为标准输出。",
            "Write to FILE (atomically); - for stdout.",
        ),
        "cmd.export.unit": (
            "只含此单位牵头或配合的任务；可重复。",
            "Only tasks this unit leads or co-owns; repeatable.",
        ),
        "cmd.export.chapter": ("只含这一章（10 或 C10）。", "Only this chapter (10 or C10)."),
        "cmd.export.status": ("只含此状态；可重复。", "Only this status; repeatable."),
        "cmd.export.since": (
            "上一次的快照：附上此后的变化。",
            "A previous snapshot: add what changed since it.",
        ),
        "cmd.export.stamp": (
            "记录生成时间（同样内容的两次导出将不再逐字节相同）。",
            "Record the generation time (breaks byte-equality).",
        ),
        "cmd.export.fmt": (
            "toml（快照）或 xlsx（报送表：每个 --unit 一份）。",
            "toml (a snapshot) or xlsx (unit workbooks, 报送表: one per --unit).",
        ),
        "cmd.export.per_unit": (
            "xlsx：每个单位一份，写入 --out 指定的文件夹。",
            "xlsx: one workbook per unit into the folder --out.",
        ),
        "cmd.diff": (
            "两份快照之间的变化：完成、销号、转红、改派、延期、退回。",
            "What changed between two snapshots: done, closed, red, reassigned, moved, returned.",
        ),
        "cmd.diff.example": (
            "lctasks diff 上次.toml 本次.toml\nlctasks diff 上次.toml 本次.toml --csv > 变化.csv",
            "lctasks diff last.toml this.toml\n"
            "lctasks diff last.toml this.toml --csv > changes.csv",
        ),
        "cmd.diff.old": ("较早的快照（- 为标准输入）。", "The earlier snapshot (- for stdin)."),
        "cmd.diff.new": ("较晚的快照。", "The later snapshot."),
        "cmd.diff.csv": (
            "以 CSV（UTF-8）输出变化，便于用电子表格打开。",
            "The changes as CSV (UTF-8), for a spreadsheet.",
        ),
        "cmd.apply": (
            "应用审定后的快照或单位填好的报送表（.xlsx）：要么全部生效，要么都不生效。",
            "Apply a reviewed snapshot or a unit's workbook (.xlsx): all or nothing.",
        ),
        "cmd.apply.example": (
            "lctasks apply 审定.toml --dry-run\nlctasks apply 市科技局.xlsx",
            "lctasks apply reviewed.toml --dry-run\nlctasks apply kjj.xlsx",
        ),
        "cmd.apply.reviewed": (
            "审定后的快照（- 为标准输入），或单位填好的报送表。",
            "The reviewed snapshot (- for stdin), or a filled-in unit workbook.",
        ),
        "cmd.apply.dry_run": (
            "准确列出将做的更改，不写入。",
            "Show exactly what would change; write nothing.",
        ),
        "cmd.apply.late": (
            "会议审定同意的逾期补批：期限已过的任务也可延期（督查室）。",
            "Extend tasks already past their deadline (the office's late grant).",
        ),
        "cmd.pack": (
            "生成调度会材料：一个独立的 HTML 页面，可按 A4 打印。",
            "Write the meeting pack (调度会材料): one self-contained HTML page for A4 print.",
        ),
        "cmd.pack.example": (
            "lctasks pack --out 调度会材料.html\n"
            "lctasks pack 本次.toml --since 上次.toml --out 材料.html",
            "lctasks pack --out pack.html\n"
            "lctasks pack this.toml --since last.toml --out pack.html",
        ),
        "cmd.pack.snapshot": (
            "据以生成材料的快照文件（默认：台账当前状态）。",
            "A snapshot file to make the pack from (default: the ledger now).",
        ),
        "cmd.pack.out_file": ("要写入的 HTML 文件。", "The HTML file to write."),
        "cmd.pack.since": (
            "上次会议的快照：附上此后的变化。",
            "The previous meeting's snapshot: add what changed since.",
        ),
        "cmd.notice": (
            "为一个单位生成督办通知（Word）：其逾期和红灯任务、限期要求。",
            "Write a 督办通知 (Word) for a unit: its overdue and red tasks, what is required "
            "by when.",
        ),
        "cmd.notice.example": (
            "lctasks notice --unit 市科技局 --out 督办通知.docx\n"
            "lctasks notice --unit gxq --within 5 --out 高新区.docx",
            "lctasks notice --unit 市科技局 --out notice.docx\n"
            "lctasks notice --unit gxq --within 5 --out gxq.docx",
        ),
        "cmd.notice.unit": (
            "被督办的单位（名称怎么写都行）。",
            "The unit to chase (any name form).",
        ),
        "cmd.notice.out_file": ("要写入的 .docx 文件。", "The .docx file to write."),
        "cmd.notice.within": (
            "单位回复的期限天数（默认 10）。",
            "Days the unit has to reply (10).",
        ),
        # -- backup, restore -----------------------------------------------------
        "cmd.backup": (
            "写一份经过校验的备份（SQLite：在线备份；PostgreSQL：可移植的副本）。",
            "Write a verified backup (SQLite: online backup; PostgreSQL: a portable copy).",
        ),
        "cmd.backup.example": (
            "lctasks backup 台账-2026-11-30.db",
            "lctasks backup ledger-2026-11-30.db",
        ),
        "cmd.backup.file": (
            "要写入的备份文件（一个 lctasks 的 SQLite 文件）。",
            "Backup file to write (an lctasks SQLite file).",
        ),
        "cmd.backup.force": ("文件已存在时覆盖。", "Overwrite FILE if it exists."),
        "cmd.restore": (
            "把备份恢复到 --db（要么全部恢复，要么不动；恢复前校验历史链）。",
            "Restore a backup into --db (all or nothing; the chain is verified).",
        ),
        "cmd.restore.example": (
            "lctasks --db 新台账.db restore 台账-2026-11-30.db",
            "lctasks --db new.db restore ledger-2026-11-30.db",
        ),
        "cmd.restore.file": ("由 lctasks backup 写出的文件。", "A file written by lctasks backup."),
        "cmd.restore.force": (
            "替换已有数据的数据库的内容。",
            "Replace the contents of a database that has data.",
        ),
        # -- indicators ----------------------------------------------------------
        "cmd.actual": (
            "记录指标或量化目标某年（或季度）的实际值，更正即新增一条记录。",
            "Record the actual value of an indicator or quantified target for a year "
            "(or quarter); a correction is a new record.",
        ),
        "cmd.actual.example": (
            'lctasks actual I01 2023 6.2 --source "2023年聊城市统计公报"\n'
            'lctasks actual I11 2024 3.1 --unit 东昌府区 --source "区统计局"',
            'lctasks actual I01 2023 6.2 --source "2023年聊城市统计公报"\n'
            'lctasks actual I11 2024 3.1 --unit 东昌府区 --source "区统计局"',
        ),
        "cmd.actual.task": ("任务编号，如 I01 或 C10.M03。", "Task ID, e.g. I01 or C10.M03."),
        "cmd.actual.args": (
            "可选的清单项（2 或 2.1），年份（2023 或 2023Q2），实际值（数值；"
            "文字目标写 达到/未达到/待评估）。",
            "An optional checklist item (2 or 2.1), the year (2023 or 2023Q2), the value "
            "(a number; for a text target 达到/未达到/待评估).",
        ),
        "cmd.actual.source": (
            "来源：统计公报、部门报告或文号（必填）。",
            "Source: statistical bulletin, department report or document number (required).",
        ),
        "cmd.actual.unit": (
            "记录某县（市、区）或开发区分解目标的实际值。",
            "Record the actual of a county's or zone's share.",
        ),
        "cmd.actual.note": ("备注（如更正说明）。", "A note (e.g. what a correction corrects)."),
        "cmd.actual.dry_run": (
            "只检查并显示将记录的内容，不写入。",
            "Check and show what would be recorded; write nothing.",
        ),
        "cmd.share": (
            "把指标或量化目标分解给县（市、区）或开发区（督查室）。",
            "Set a county's or zone's share of an indicator or quantified target (督查室).",
        ),
        "cmd.share.example": (
            'lctasks share I11 --unit 东昌府区 --target 14.5 --reason "省分解方案"',
            'lctasks share I11 --unit 东昌府区 --target 14.5 --reason "省分解方案"',
        ),
        "cmd.share.task": ("任务编号，如 I11。", "Task ID, e.g. I11."),
        "cmd.share.item": (
            "清单项（量化目标在第几项）。",
            "The checklist item holding the target.",
        ),
        "cmd.share.unit": ("县（市、区）或开发区。", "The county or zone."),
        "cmd.share.target": (
            "分解目标：数值（可带 ≥ ≤ 左右）或文字；年均目标（增速、年均百分点）写该单位的年均值。",
            "The share: a number (may carry ≥ ≤ 左右) or text; for an annual target "
            "(growth, points a year) the unit's annual value.",
        ),
        "cmd.share.baseline": ("该单位的基期值。", "The unit's baseline value."),
        "cmd.share.reason": (
            "依据，如省分解文件文号。",
            "The basis, e.g. the provincial document's number.",
        ),
        "cmd.share.dry_run": (
            "只检查并显示将记录的内容，不写入。",
            "Check and show what would be recorded; write nothing.",
        ),
        "cmd.evaluate": (
            "指标和量化目标的监测评估表：基期、目标、各年实际值、序时目标、是否达到、拖后单位。",
            "The monitoring table of indicators and quantified targets: baseline, target, "
            "actuals by year, expected path, reached or not, units behind.",
        ),
        "cmd.evaluate.example": (
            "lctasks evaluate --final\nlctasks evaluate --year 2023 --json",
            "lctasks evaluate --final\nlctasks evaluate --year 2023 --json",
        ),
        "cmd.evaluate.year": (
            "年度监测：某一年（默认上一年）。",
            "Monitoring of one year (default: last year).",
        ),
        "cmd.evaluate.midterm": (
            "中期评估（规划期中间一年）。",
            "Midterm evaluation (the plan's middle year).",
        ),
        "cmd.evaluate.final": (
            "总结评估（规划末年）。",
            "Final evaluation (the plan's last year).",
        ),
        "cmd.evaluate.ids": ("只评估这些任务（可重复）。", "Only these tasks (repeatable)."),
        "cmd.evaluate.toml": (
            "输出 TOML（快照的 [evaluation] 部分）。",
            "TOML output (a snapshot's [evaluation] part).",
        ),
        # -- carry, undo ---------------------------------------------------------
        "cmd.carry": (
            "把未完成的任务结转到接续规划（下一个五年规划或县区规划），原任务以“结转”销号。",
            "Carry unfinished tasks over to a follow-on plan (the next five-year plan or a "
            "county's); the old task is closed as carried over.",
        ),
        "cmd.carry.example": (
            'lctasks carry C10.M03 C10.M05 --to lc-15th --reason "纳入十五五"',
            'lctasks carry C10.M03 C10.M05 --to lc-15th --reason "纳入十五五"',
        ),
        "cmd.carry.ids": ("要结转的任务编号。", "The task IDs to carry over."),
        "cmd.carry.to": (
            "接续规划的代码；写 PLAN:KEY 接续到该规划的已有任务，只写 PLAN 则新建接续任务。",
            "The follow-on plan's code; PLAN:KEY continues an existing task there, "
            "PLAN alone creates a new one.",
        ),
        "cmd.carry.reason": ("结转原因。", "Why it is carried over."),
        "cmd.carry.dry_run": (
            "只显示将要结转的任务。",
            "Only show the tasks that would be carried.",
        ),
        "cmd.undo": (
            "撤销：把最近一批（或某事件所在的一批）修改改回去，追加撤销事件，历史不改写。",
            "Undo the last batch of changes (or an event's batch) by appending undo events; "
            "history is never rewritten.",
        ),
        "cmd.undo.example": (
            "lctasks undo --dry-run\nlctasks undo 512",
            "lctasks undo --dry-run\nlctasks undo 512",
        ),
        "cmd.undo.event": (
            "撤销此事件所在的一批（事件编号见 lctasks log，如 512；写 #512 须加引号，"
            "否则 shell 把它当作注释）；默认最近一批。",
            "Undo the batch of this event (its number in lctasks log, e.g. 512; quote a "
            "#512, or the shell takes it for a comment); default: the last batch.",
        ),
        "cmd.undo.dry_run": (
            "只显示将撤销的内容，不写入。",
            "Show what would be reverted; write nothing.",
        ),
        # -- people --------------------------------------------------------------
        "cmd.people": (
            "人员：角色（督查室 supervisor、单位联络员 liaison、只读 viewer）和所在单位。",
            "People, roles (supervisor / liaison / viewer) and units.",
        ),
        "cmd.people.example": (
            "lctasks people list\nlctasks people add 张伟 --role liaison --unit 市科技局",
            "lctasks people list\nlctasks people add 张伟 --role liaison --unit 市科技局",
        ),
        "cmd.people.add": (
            "登记一个人及其角色（和单位）。",
            "Put a person on record with a role (and unit).",
        ),
        "cmd.people.add.example": (
            "lctasks people add 王芳 --role supervisor\n"
            "lctasks people add 张伟 --role liaison --unit 市科技局 --display-name 张伟",
            "lctasks people add 王芳 --role supervisor\n"
            "lctasks people add 张伟 --role liaison --unit 市科技局 --display-name 张伟",
        ),
        "cmd.people.add.name": (
            "姓名；在 PostgreSQL 上即数据库登录名。",
            "Person's name; on PostgreSQL the database login.",
        ),
        "cmd.people.add.role": (
            "角色：supervisor（督查室）、liaison（单位联络员）、viewer（只读）。",
            "supervisor (督查室) | liaison (单位联络员) | viewer (只读)",
        ),
        "cmd.people.add.unit": ("所在单位（联络员必填）。", "Unit (required for a liaison)."),
        "cmd.people.add.display_name": (
            "列表中显示的全名或说明。",
            "Full name or note shown in lists.",
        ),
        "cmd.people.add.login": (
            "PostgreSQL：创建数据库登录（或接管已有的），并授予该角色的组。",
            "PostgreSQL: create the database login (or take over an existing one) and grant "
            "it the role's group.",
        ),
        "cmd.people.add.password_stdin": (
            "与 --login 同用：从标准输入读取密码。",
            "With --login: read the password from stdin.",
        ),
        "cmd.people.set": (
            "修改一个人的角色、单位或显示名。",
            "Change a person's role, unit or display name.",
        ),
        "cmd.people.set.example": (
            "lctasks people set 张伟 --unit 市财政局\n"
            "lctasks people set 张伟 --role viewer --no-unit",
            "lctasks people set 张伟 --unit 市财政局\n"
            "lctasks people set 张伟 --role viewer --no-unit",
        ),
        "cmd.people.set.name": ("姓名。", "Person's name."),
        "cmd.people.set.role": (
            "角色：supervisor（督查室）、liaison（单位联络员）、viewer（只读）。",
            "supervisor (督查室) | liaison (单位联络员) | viewer (只读)",
        ),
        "cmd.people.set.unit": ("新的单位。", "New unit."),
        "cmd.people.set.no_unit": ("清除单位。", "Clear the unit."),
        "cmd.people.set.display_name": ("全名或说明。", "Full name or note."),
        "cmd.people.list": (
            "登记在册的所有人：角色、单位和（PostgreSQL）登录名。",
            "Everyone on record, with role, unit and (PostgreSQL) login.",
        ),
        "cmd.people.list.example": (
            "lctasks people list\nlctasks people list --json",
            "lctasks people list\nlctasks people list --json",
        ),
        "cmd.people.remove": (
            "把一个人从名册中移除（PostgreSQL 登录退出 lctasks 的组）。",
            "Take a person off the record (a PostgreSQL login leaves the lctasks groups).",
        ),
        "cmd.people.remove.example": ("lctasks people remove 张伟", "lctasks people remove 张伟"),
        "cmd.people.remove.name": ("姓名。", "Person's name."),
    }
)
