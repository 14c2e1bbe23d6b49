from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from community.db_types import utcnow
from community.extensions import db
from community.years.models import YearShare


def toggle_share(user_id: int, year: int) -> bool:
    """Share the runner's year or stop sharing it; returns whether it is shared now. Two
    clicks at once make one share (an insert that skips a conflict)."""
    found = db.session.scalar(
        select(YearShare.id).where(YearShare.user_id == user_id, YearShare.year == year)
    )
    if found is not None:
        db.session.execute(delete(YearShare).where(YearShare.id == found))
        return False
    connection = db.session.connection()
    build = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(
        build(YearShare)
        .values(user_id=user_id, year=year, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "year"])
    )
    return True
