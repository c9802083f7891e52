"""LibreOffice Writer driven through UNO the way a person uses it: keys typed into the document window, pastes.

One headless ``soffice`` per test session, with a private temporary profile,
listening on a named pipe (local only: no network port). Keys go through
LibreOffice's UI-test service, which hands them to Writer's document window
exactly as the keyboard would (``SwEditWin::KeyInput``), so LibreOffice's own
rules for content controls apply: what a click selects, what typing or a paste
over the grey placeholder text does, Enter and Shift+Enter.

What is not a key here, and why:

* a click into a text control is the cursor put just inside it and its text
  selected with Shift+Right: the selection LibreOffice makes on a click (a real
  click, :meth:`Form.mouse_click`, selects the same, but clicks in a row can
  become a double click that selects one word);
* a paste is ``.uno:Paste``, the command Ctrl+V is bound to, after the text was
  copied (``.uno:Copy``) from another Writer document. Ctrl+V sent as a key
  makes headless LibreOffice 25.2 abort, and so does a clipboard content written
  from Python;
* a mouse click (a checkbox's tick) is aimed at the character's place on screen,
  found through the accessibility tree, and posted with the toolkit's robot.

The UNO bridge (``python3-uno``) is built for the system Python; its folder is
added to ``sys.path``. A missing LibreOffice, bridge or Writer UI file makes the
tests FAIL with the command that installs it, never skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

import pytest

from blankett.office import find_soffice

from .clients import LIBREOFFICE, missing

UNO_PATHS = ("/usr/lib/python3/dist-packages", "/usr/lib/libreoffice/program")
#: Writer draws a control's title beside the cursor from this file; headless Writer aborts without it
#: (Debian's libreoffice-writer-nogui does not bring it: libreoffice-uiconfig-writer does).
ALIAS_BUTTON_UI = "share/config/soffice.cfg/modules/swriter/ui/contentcontrolaliasbutton.ui"
FILTERS = {".docx": "MS Word 2007 XML", ".odt": "writer8"}
START_SECONDS = 60.0
DOUBLE_CLICK = 1.0  # seconds between two clicks, twice VCL's double-click time


def import_uno():
    """The ``uno`` module, from the system's python3-uno when the running Python has none; fails the test if absent."""
    try:
        import uno
    except ImportError:
        for path in UNO_PATHS:
            if path not in sys.path and Path(path).is_dir():
                sys.path.append(path)
        try:
            import uno
        except ImportError:
            uno = None
        if uno is None:  # outside the handler: one line, no chained traceback
            missing("python3-uno, LibreOffices Python-brygga (Debian-paketet python3-uno från bookworm-backports)",
                    "den är byggd för systemets python3, så testernas Python "
                    f"{sys.version_info.major}.{sys.version_info.minor} måste vara samma version")
    import uno

    return uno


def _program_dir(soffice: str) -> Path:
    return Path(os.path.realpath(soffice)).parent


def props(**values) -> tuple:
    """UNO ``PropertyValue``s from keyword arguments."""
    from com.sun.star.beans import PropertyValue

    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


class Office:
    """One headless LibreOffice, driven over a named pipe with a private profile; :meth:`close` ends it."""

    def __init__(self) -> None:
        self.uno = import_uno()
        try:
            soffice = find_soffice()
        except Exception:  # noqa: BLE001 - turned into a failure on purpose, below
            soffice = None
        if soffice is None:
            missing(LIBREOFFICE)
        ui = _program_dir(soffice).parent / ALIAS_BUTTON_UI
        if not ui.is_file():
            missing("Writers UI-filer (Debian-paketet libreoffice-uiconfig-writer)",
                    f"{ui}; utan dem kraschar Writer utan fönster när markören går in i en kontroll med rubrik")
        self.profile = Path(tempfile.mkdtemp(prefix="blankett-uno-"))
        self.pipe = f"blankett-uno-{os.getpid()}-{time.monotonic_ns()}"
        self.log = open(self.profile / "soffice.log", "wb")  # noqa: SIM115 - closed in close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAL_")}
        self.process = subprocess.Popen(
            [soffice, f"-env:UserInstallation={(self.profile / 'user').as_uri()}", "--headless", "--norestore",
             "--nologo", "--nodefault", "--nolockcheck", f"--accept=pipe,name={self.pipe};urp;"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.ctx = self._connect()
        smgr = self.ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self.dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", self.ctx)
        self.ui_test = smgr.createInstanceWithContext("org.libreoffice.uitest.UITest", self.ctx)
        if self.ui_test is None:
            self.close()
            pytest.fail("this LibreOffice has no UI-test service (org.libreoffice.uitest.UITest) to type with")
        self.files = self.profile / "files"
        self.files.mkdir()

    def _connect(self):
        local = self.uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                return resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
            except Exception:  # noqa: BLE001 - NoConnectException until soffice listens
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    pytest.fail(f"LibreOffice did not start for UNO: {self.output()}")
                time.sleep(0.2)

    def output(self) -> str:
        """What soffice printed (its crash report, when it crashed)."""
        self.log.flush()
        return (self.profile / "soffice.log").read_text(errors="replace")[-2000:]

    def alive(self) -> bool:
        """True while soffice runs and answers."""
        if self.process.poll() is not None:
            return False
        try:
            self.desktop.getComponents()
        except Exception:  # noqa: BLE001 - a dead bridge raises DisposedException
            return False
        return True

    def open(self, path: Path) -> Form:
        """A copy of ``path`` opened in Writer's view (the original is never written)."""
        copy = self.files / f"{time.monotonic_ns()}{path.suffix}"
        shutil.copyfile(path, copy)
        doc = self.desktop.loadComponentFromURL(copy.as_uri(), "_blank", 0, ())
        if doc is None:
            pytest.fail(f"LibreOffice could not open {path.name}: {self.output()}")
        return Form(self, doc)

    def copy_text(self, text: str) -> None:
        """Put ``text`` on the clipboard as a person copies it: selected in another Writer document and copied."""
        source = self.desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, props(Hidden=True))
        try:
            source.getText().setString(text)
            frame = source.getCurrentController().getFrame()
            self.dispatcher.executeDispatch(frame, ".uno:SelectAll", "", 0, ())
            self.dispatcher.executeDispatch(frame, ".uno:Copy", "", 0, ())
        finally:
            source.close(True)

    def close(self) -> None:
        """End soffice (politely, then its whole process group) and remove the profile."""
        with suppress(Exception):
            self.desktop.terminate()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Form:
    """A document open in Writer, used through its window: keys, pastes, and the controls' own properties."""

    def __init__(self, office: Office, doc) -> None:
        self.office, self.doc = office, doc
        self.controller = doc.getCurrentController()
        self.frame = self.controller.getFrame()
        self.cursor = self.controller.getViewCursor()
        self._last_click = 0.0

    # --- finding ---------------------------------------------------------------------

    def controls(self) -> list:
        """Every content control, in document order."""
        found = self.doc.ContentControls
        return [found.getByIndex(i) for i in range(found.getCount())]

    def control(self, tag: str):
        """The content control with this tag."""
        for control in self.controls():
            if control.Tag == tag:
                return control
        raise KeyError(tag)

    def shown(self, tag: str) -> str:
        """The text the control shows."""
        return self.control(tag).getString()

    # --- a person at the keyboard ------------------------------------------------------

    def _window(self):
        return self.office.ui_test.getTopFocusWindow().getChild("writer_edit")

    def key(self, code: str, times: int = 1) -> None:
        """Press a key (``RETURN``, ``SHIFT+RETURN``, ``SHIFT+RIGHT``, …) in the document window."""
        for _ in range(times):
            self._window().executeAction("TYPE", props(KEYCODE=code))

    def type(self, text: str) -> None:
        """Type ``text`` key by key at the cursor."""
        self._window().executeAction("TYPE", props(TEXT=text))

    def cursor_into(self, tag: str, offset: int = 0) -> None:
        """Put the cursor inside the control, ``offset`` characters in, selecting nothing (a click in the grey text)."""
        self.cursor.gotoRange(self.control(tag).getAnchor().getStart(), False)
        self.key("RIGHT", 1 + offset)

    def click(self, tag: str) -> None:
        """What a click into a control does in LibreOffice: the cursor inside, all its text selected."""
        length = len(self.shown(tag))
        self.cursor_into(tag)
        self.key("SHIFT+RIGHT", length)

    def mouse_click(self, tag: str) -> None:
        """A real mouse click on the control's first character, aimed through the accessibility tree."""
        self.cursor_into(tag)
        paragraph, caret = _caret_paragraph(self.frame.getComponentWindow().getAccessibleContext())
        box, at = paragraph.getCharacterBounds(caret), paragraph.getLocationOnScreen()
        x, y = at.X + box.X + box.Width // 2, at.Y + box.Y + box.Height // 2
        window, origin = _window_at(self.frame.getComponentWindow(), x, y)
        from com.sun.star.awt import MouseEvent

        event = MouseEvent()
        event.Source, event.Buttons, event.ClickCount, event.Modifiers = window, 1, 1, 0
        event.X, event.Y = x - origin.X, y - origin.Y
        toolkit = self.office.ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit",
                                                                           self.office.ctx)
        time.sleep(max(0.0, self._last_click + DOUBLE_CLICK - time.monotonic()))  # two clicks, not a double click
        toolkit.mouseMove(event)
        toolkit.mousePress(event)
        toolkit.mouseRelease(event)
        toolkit.processEventsToIdle()
        self._last_click = time.monotonic()

    def paste(self, text: str) -> None:
        """Copy ``text`` from another document and paste it at the cursor (Ctrl+V's command, ``.uno:Paste``)."""
        self.office.copy_text(text)
        self.office.dispatcher.executeDispatch(self.frame, ".uno:Paste", "", 0, ())

    def selected(self) -> str:
        """The selected text."""
        selection = self.controller.getSelection()
        return "".join(selection.getByIndex(i).getString() for i in range(selection.getCount()))

    # --- a program ---------------------------------------------------------------------

    def set_text(self, tag: str, text: str) -> None:
        """Set a control's text through the API, as a macro or another program does."""
        self.control(tag).setString(text)

    def tick(self, tag: str, checked: bool = True) -> None:
        """Click a checkbox until it is ticked (or cleared): a real mouse click, as a person toggles it.

        On a loaded machine Writer may handle a click late, or take two as a double click; so each click is
        given two seconds to show, and one that did nothing is made again (at most three clicks).
        """
        for _ in range(3):
            if bool(self.control(tag).Checked) == checked:
                return
            self.mouse_click(tag)
            deadline = time.monotonic() + 2.0
            while bool(self.control(tag).Checked) != checked and time.monotonic() < deadline:
                time.sleep(0.05)
        if bool(self.control(tag).Checked) != checked:
            pytest.fail(f"a click on checkbox {tag} did not {'tick' if checked else 'clear'} it")

    def set_checked(self, tag: str, checked: bool = True) -> None:
        """Tick (or clear) a checkbox control through the API, as a program does (its glyph is not redrawn)."""
        self.control(tag).Checked = checked

    # --- saving ------------------------------------------------------------------------

    def save(self, path: Path) -> Path:
        """Save a copy as .docx or .odt (by the name's ending)."""
        self.doc.storeToURL(path.resolve().as_uri(), props(FilterName=FILTERS[path.suffix.lower()], Overwrite=True))
        return path

    def close(self) -> None:
        with suppress(Exception):
            self.doc.close(True)


def _caret_paragraph(context, depth: int = 0):
    """The accessible paragraph of the document that holds the text cursor, and the cursor's index in it."""
    from com.sun.star.accessibility.AccessibleRole import PARAGRAPH

    if context.getAccessibleRole() == PARAGRAPH and hasattr(context, "getCaretPosition"):
        with suppress(Exception):
            caret = context.getCaretPosition()
            if caret >= 0:
                return context, caret
    if depth < 12:
        for i in range(min(context.getAccessibleChildCount(), 1000)):
            found = _caret_paragraph(context.getAccessibleChild(i).getAccessibleContext(), depth + 1)
            if found is not None:
                return found
    return None if depth else pytest.fail("no paragraph on screen holds the text cursor")


def _window_at(window, x: int, y: int):
    """The innermost sizeable window (not a small button or ruler) under screen point (x, y), and its origin."""
    best = None
    context = window.getAccessibleContext()
    at, size = context.getLocationOnScreen(), window.getPosSize()
    if size.Width > 200 and size.Height > 100 and at.X <= x < at.X + size.Width and at.Y <= y < at.Y + size.Height:
        best = (window, at)
    for child in window.getWindows() if hasattr(window, "getWindows") else ():
        inner = _window_at(child, x, y)
        if inner is not None:
            best = inner
    return best


# --- fixtures: one LibreOffice per test module, started again if a test killed it -------------


@pytest.fixture(scope="module")
def office_holder():
    """The module's LibreOffice (started on first use), ended after the module's last test."""
    holder: dict[str, Office] = {}
    yield holder
    if "office" in holder:
        holder["office"].close()


def running(holder: dict) -> Office:
    """The holder's LibreOffice, started (again) when there is none or the last one died."""
    current = holder.get("office")
    if current is None or not current.alive():
        if current is not None:
            current.close()
        current = holder["office"] = Office()
    return current


@pytest.fixture
def office(office_holder) -> Office:
    """A running LibreOffice for UNO (the module's, or a new one when the last test crashed it)."""
    return running(office_holder)
