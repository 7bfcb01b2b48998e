from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.accounts import activation
from app.accounts.exports import HEADERS, activation_codes_xlsx
from tests.world import World


def test_activation_sheet_opens_with_vietnamese_intact(session: Session, world: World) -> None:
    codes = activation.issue_codes(
        session, world.actor(session, world.admin), user_ids=[world.officer_b.id, world.officer_a.id]
    )
    book = load_workbook(BytesIO(activation_codes_xlsx(codes, timezone="Asia/Ho_Chi_Minh")))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1][:4] == ("HVB", "Hoàng Thị An", "Sở Tư pháp", codes[0].code)
    assert rows[2][:3] == ("HVA", "Nguyễn Văn Đức", "Phòng Công chức")
    assert isinstance(rows[1][4], datetime)
    assert sheet.freeze_panes == "A2"
