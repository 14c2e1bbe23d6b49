"""Every feature's models, imported once so Alembic and relationships see them all."""

from community.accounts.models import Block, User
from community.activities.models import BestEffort, Run, RunTrack
from community.challenges.models import Challenge, ChallengeEntry, MonthlySeries, ScoreBucket
from community.clubs.models import Club, ClubInvite, JoinRequest, Membership, MembershipEvent
from community.feed.models import Comment, FeedItem, Kudos
from community.follows.models import Follow
from community.goals.models import Goal, GoalCheer
from community.group_runs.models import (
    Attendance,
    CalendarFeed,
    GroupRun,
    PaceGroup,
    Rsvp,
    RunSeries,
)
from community.images.models import StoredImage
from community.jobs.models import PeriodicRun
from community.milestones.models import Milestone
from community.notifications.models import Notification
from community.reflections.models import Reflection
from community.reminders.models import MailOptOut, SentReminder
from community.years.models import YearShare

__all__ = [
    "Attendance",
    "BestEffort",
    "Block",
    "CalendarFeed",
    "Challenge",
    "ChallengeEntry",
    "Club",
    "ClubInvite",
    "Comment",
    "FeedItem",
    "Follow",
    "Goal",
    "GoalCheer",
    "GroupRun",
    "JoinRequest",
    "Kudos",
    "MailOptOut",
    "Membership",
    "MembershipEvent",
    "Milestone",
    "MonthlySeries",
    "Notification",
    "PaceGroup",
    "PeriodicRun",
    "Reflection",
    "Rsvp",
    "Run",
    "RunSeries",
    "RunTrack",
    "ScoreBucket",
    "SentReminder",
    "StoredImage",
    "User",
    "YearShare",
]
