"""A person's saved filters of a list page (the inbox, the ledger): a name and a query string."""
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SavedFilter(db.Model):
    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "list_name", "name", name="uq_saved_filters_user_list_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(String(1000))
