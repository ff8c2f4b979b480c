"""My drawings view: the drawings users added; look, delete your own, export, import."""

from __future__ import annotations

import contextlib

import streamlit as st

from digits_knn.drawings.admin import AdminConfigError, verify_password
from digits_knn.drawings.exchange import CsvImportError
from digits_knn.drawings.store import DrawingStore, StoredDrawing, StoreError
from digits_knn.plotting import bitmap_png
from page import cache_drawings, state
from page.figures import figure, gallery

VIEW = "my_drawings"
MAX_SHOWN_DRAWINGS = 200


def claim_sign_in(store: DrawingStore | None) -> float:
    """Count a sign-in try before the password is checked: in the database, for
    every server, or on this server alone while the database is unavailable."""
    if store is not None:
        try:
            return store.claim_sign_in()
        except StoreError:
            pass
    return cache_drawings.sign_in_limiter().claim()


def admin_ui(store: DrawingStore | None) -> None:
    """Sign in as the admin (who may delete anyone's drawings and export them), or
    sign out."""
    encoded = cache_drawings.admin_password_hash()
    if encoded is None:
        return
    if state.is_admin():
        if st.button("Sign out as admin", icon=":material/logout:", key="sign_out"):
            state.sign_out()
            st.rerun()
        return
    with (
        st.expander("Admin sign-in", icon=":material/admin_panel_settings:"),
        st.form("admin_form", clear_on_submit=True, border=False),
    ):
        password = st.text_input("Admin password", type="password", key="admin_pw")
        if not st.form_submit_button("Sign in"):
            return
        wait = claim_sign_in(store)
        if wait > 0:
            st.error(f"Too many sign-in tries: try again in {wait:.0f} s.")
            return
        try:
            with st.spinner("Checking…"):
                right = verify_password(password, encoded)
        except AdminConfigError as exc:
            st.error(f"Admin sign-in is misconfigured on this server: {exc}")
            return
        if not right:
            st.error("Wrong password.")
            return
    if store is not None:
        with contextlib.suppress(StoreError):
            store.sign_in_succeeded()
    cache_drawings.sign_in_limiter().succeeded()
    state.sign_in_as_admin()
    state.flash(VIEW, "success", "Signed in as admin: you may delete any drawing.")
    st.rerun()


def gallery_ui(drawings: list[StoredDrawing], me: str) -> None:
    """The drawings as the neighbours are shown: one element, captions on one line."""
    st.html(
        gallery(
            figure(
                bitmap_png(d.bitmap),
                f"#{d.id}: {d.label}" + (" · yours" if d.session_id == me else ""),
                width=72,
            )
            for d in drawings
        )
    )


def delete_ui(
    store: DrawingStore, drawings: list[StoredDrawing], me: str, admin: bool
) -> None:
    """Pick drawings you may delete (your own; an admin any) and delete them."""
    deletable = [d for d in drawings if admin or d.session_id == me]
    labels = {d.id: f"#{d.id}: {d.label}" for d in deletable}
    chosen = st.multiselect(
        "Delete drawings",
        list(labels),
        format_func=labels.__getitem__,
        key="delete_ids",
        placeholder="Pick drawings you added" if not admin else "Pick drawings",
    )
    if st.button(
        f"Delete {len(chosen)} drawing{'s' if len(chosen) != 1 else ''}",
        disabled=not chosen,
        icon=":material/delete:",
        key="delete_drawings",
    ):
        try:
            n = store.delete(chosen, session_id=me, admin=admin)
        except StoreError as exc:
            st.error(str(exc))
        else:
            state.pop_widget("delete_ids")
            state.flash(VIEW, "success", f"Deleted {n} drawing(s).")
            st.rerun()


def export_ui(store: DrawingStore, admin: bool) -> None:
    """The digits as a CSV for anyone; every canvas as PNGs for the admin only (a
    visitor's drawings are theirs, and the ZIP is built in memory)."""
    cols = st.columns(2)
    cols[0].download_button(
        "Export as CSV (UCI optdigits: 64 counts, then the label)",
        data=store.export_csv,  # read when clicked
        file_name="digits-knn-drawings.csv",
        mime="text/csv",
        icon=":material/table:",
        on_click="ignore",
    )
    if admin:
        cols[1].download_button(
            "Export the drawings as a ZIP of PNGs",
            data=store.export_zip,
            file_name="digits-knn-drawings.zip",
            mime="application/zip",
            icon=":material/folder_zip:",
            on_click="ignore",
        )


def import_ui(store: DrawingStore, me: str) -> None:
    with st.form("import_form", clear_on_submit=True):
        upload = st.file_uploader(
            "Import a CSV of digits (UCI optdigits format: 64 counts 0-16, then the "
            "label 0-9, per line)",
            type=["csv", "txt", "tra", "tes"],
            key="import_csv",
        )
        submitted = st.form_submit_button("Import", icon=":material/upload:")
    if not submitted:
        return
    if upload is None:
        st.error("Choose a CSV file first.")
        return
    try:
        n = store.import_csv(upload.getvalue(), session_id=me)
    except (CsvImportError, StoreError) as exc:  # a database error says only that
        st.error(f"Nothing was imported: {exc}")
        return
    state.flash(VIEW, "success", f"Imported {n:,} digits.")
    st.rerun()


def view() -> None:
    """The drawings users added: look, delete, export, import."""
    found = cache_drawings.drawings()
    if found.store is None:
        st.error(
            "The drawings are unavailable right now: the page draws and predicts from "
            f"the shipped digits only. {found.problem_for(admin=state.is_admin())}",
            icon=":material/database_off:",
        )
        admin_ui(None)
        return
    store = found.store
    me, admin = state.session_id(), state.is_admin()
    try:
        shown = store.drawings(limit=MAX_SHOWN_DRAWINGS)
        total = store.count()
    except StoreError:  # the details are in the server's log
        st.error("The drawings cannot be read right now: try again in a moment.")
        return
    mine = [d for d in shown if d.session_id == me]
    st.caption(
        f"{total:,} drawing{'' if total == 1 else 's'} on this server, {len(mine)} "
        "of them added in this browser session. Everyone using this server shares "
        "them (a classroom teaching one model); you can delete the ones you added"
        + (
            f" and, as admin, any other. Stored in `{store.location}`."
            if admin
            else "."
        )
    )
    state.show_flashes(VIEW)
    if not shown:
        st.info(
            "No drawings yet. Draw a digit above and press 'Add as …' to teach the "
            "model your handwriting."
        )
    else:
        if total > len(shown):
            st.caption(f"The newest {len(shown)} are shown.")
        gallery_ui(shown, me)
        delete_ui(store, shown, me, admin)
        export_ui(store, admin)
    import_ui(store, me)
    admin_ui(store)


if __name__ == "__main__":
    view()
