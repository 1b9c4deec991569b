"""SQLAlchemy 2 typed models of the transactional schema.

The DDL itself lives in the migrations (pipelines/db/migrations/sql); these models describe the
same tables for Python code, and tests/integration/test_schema.py proves the two agree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    REAL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import ARRAY, INET, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pipelines.db import enums as e

NOW_UTC = text("(now() AT TIME ZONE 'UTC')")
_ENUM_NAMES = {cls: name for name, cls in (e.PG_ENUMS | e.PLATFORM_ENUMS).items()}


def pg_enum(enum_cls: type[StrEnum]) -> SAEnum:
    return SAEnum(
        enum_cls,
        name=_ENUM_NAMES[enum_cls],
        create_type=False,
        values_callable=lambda members: [m.value for m in members],
    )


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )


def user_fk(nullable: bool = True, ondelete: str | None = "CASCADE") -> Mapped[Any]:
    return mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete=ondelete), nullable=nullable
    )


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: DateTime(timezone=False),
        dt.date: Date,
        str: Text,
        dict[str, Any]: JSONB,
        list[Any]: JSONB,
        bytes: LargeBinary,
        float: REAL,
    }


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)


class Versioned(Timestamps):
    """Optimistic locking: a trigger bumps lock_version on every update."""

    lock_version: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class User(Versioned, Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[e.UserRole | None] = mapped_column(pg_enum(e.UserRole), server_default="USER")
    status: Mapped[e.UserStatus | None] = mapped_column(
        pg_enum(e.UserStatus), server_default="ACTIVE"
    )
    last_login_at: Mapped[dt.datetime | None]
    login_attempts: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    locked_until: Mapped[dt.datetime | None]
    data_consent: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    consent_date: Mapped[dt.datetime | None]
    data_retention_until: Mapped[dt.datetime | None]
    is_deleted: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    deleted_at: Mapped[dt.datetime | None]
    __table_args__ = (
        Index("idx_users_email", "email"),
        Index("idx_users_status", "status"),
        Index("idx_users_last_login", "last_login_at"),
        Index("idx_users_deleted_at", "deleted_at", postgresql_where=text("is_deleted")),
    )


class UserProfile(Versioned, Base):
    __tablename__ = "user_profiles"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    # Encrypted PII (pipelines/db/crypto.py): ciphertext envelopes, never plain text.
    first_name: Mapped[bytes | None]
    last_name: Mapped[bytes | None]
    phone: Mapped[bytes | None]
    date_of_birth: Mapped[bytes | None]
    current_title: Mapped[str | None] = mapped_column(String(200))
    years_of_experience: Mapped[int | None] = mapped_column(Integer)
    skills: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    profile_visibility: Mapped[e.ProfileVisibility | None] = mapped_column(
        pg_enum(e.ProfileVisibility), server_default="PRIVATE"
    )
    show_email: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    __table_args__ = (UniqueConstraint("user_id"),)


class UserPreferences(Versioned, Base):
    __tablename__ = "user_preferences"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    job_search_radius: Mapped[int | None] = mapped_column(Integer, server_default=text("50"))
    job_types: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    remote_pref: Mapped[e.RemotePreference | None] = mapped_column(
        pg_enum(e.RemotePreference), server_default="NO_PREFERENCE"
    )
    auto_apply_enabled: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    auto_apply_max_per_day: Mapped[int | None] = mapped_column(Integer, server_default=text("5"))
    data_processing_consent: Mapped[bool | None] = mapped_column(
        Boolean, server_default=text("false")
    )
    marketing_consent: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    analytics_consent: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    __table_args__ = (UniqueConstraint("user_id"),)


class Company(Versioned, Base):
    __tablename__ = "companies"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None]
    size: Mapped[e.CompanySize | None] = mapped_column(pg_enum(e.CompanySize))
    industry: Mapped[str | None] = mapped_column(String(100))
    founded_year: Mapped[int | None] = mapped_column(Integer)
    employee_count: Mapped[int | None] = mapped_column(Integer)
    is_verified: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    verified_at: Mapped[dt.datetime | None]
    quality_score: Mapped[float | None]
    status: Mapped[e.CompanyStatus | None] = mapped_column(
        pg_enum(e.CompanyStatus), server_default="ACTIVE"
    )
    is_blacklisted: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    blacklist_reason: Mapped[str | None]
    domain: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (
        Index(
            "idx_companies_domain",
            "domain",
            unique=True,
            postgresql_where=text("domain IS NOT NULL"),
        ),
        Index(
            "idx_companies_fulltext",
            text("to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))"),
            postgresql_using="gin",
        ),
    )


class JobPosting(Versioned, Base):
    __tablename__ = "job_postings"
    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("companies.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str]
    type: Mapped[e.JobType | None] = mapped_column(pg_enum(e.JobType), server_default="FULL_TIME")
    level: Mapped[e.JobLevel | None] = mapped_column(pg_enum(e.JobLevel), server_default="MID")
    category: Mapped[e.JobCategory | None] = mapped_column(
        pg_enum(e.JobCategory), server_default="OTHER"
    )
    remote: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    remote_type: Mapped[e.RemoteType | None] = mapped_column(
        pg_enum(e.RemoteType), server_default="ONSITE"
    )
    location: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3), server_default="USD")
    salary_type: Mapped[e.SalaryType | None] = mapped_column(pg_enum(e.SalaryType))
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[e.JobSource | None] = mapped_column(
        pg_enum(e.JobSource), server_default="MANUAL"
    )
    source_url: Mapped[str | None]
    apply_url: Mapped[str | None]
    quality_score: Mapped[float | None]
    is_verified: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    view_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    application_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    right_swipe_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    left_swipe_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    status: Mapped[e.JobStatus | None] = mapped_column(
        pg_enum(e.JobStatus), server_default="ACTIVE"
    )
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    posted_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    # Ingestion (migration 0003): the original HTML, yearly salary equivalents, dedupe key.
    description_html: Mapped[str | None]
    salary_min_yearly: Mapped[int | None] = mapped_column(Integer)
    salary_max_yearly: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(String(40))
    first_seen_at: Mapped[dt.datetime | None]
    last_seen_at: Mapped[dt.datetime | None]
    __table_args__ = (
        Index(
            "idx_jobs_content_hash",
            "content_hash",
            unique=True,
            postgresql_where=text("content_hash IS NOT NULL"),
        ),
        Index("idx_jobs_posted_at", "posted_at"),
        Index("idx_jobs_location_salary", "city", "state", "salary_min", "salary_max"),
        Index("idx_jobs_remote_type", "remote", "remote_type"),
        Index("idx_jobs_status_active", "status", "is_active"),
        Index("idx_jobs_company", "company_id"),
        Index(
            "idx_jobs_fulltext",
            text("to_tsvector('english', coalesce(title, '') || ' ' || coalesce(description, ''))"),
            postgresql_using="gin",
        ),
    )


class UserJobSwipe(Timestamps, Base):
    __tablename__ = "user_job_swipes"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    job_posting_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_postings.id", ondelete="CASCADE")
    )
    direction: Mapped[e.SwipeDirection] = mapped_column(pg_enum(e.SwipeDirection))
    confidence: Mapped[float | None]
    device_type: Mapped[str | None] = mapped_column(String(50))
    session_id: Mapped[str | None] = mapped_column(String(255))
    position: Mapped[int | None] = mapped_column(Integer)
    time_spent: Mapped[int | None] = mapped_column(Integer)
    match_score: Mapped[float | None]
    match_factors: Mapped[dict[str, Any] | None]
    user_feedback: Mapped[str | None]
    is_correct_match: Mapped[bool | None] = mapped_column(Boolean)
    __table_args__ = (
        UniqueConstraint("user_id", "job_posting_id"),
        Index("idx_swipes_user_direction", "user_id", "direction"),
        Index("idx_swipes_match_score", "match_score"),
        Index("idx_swipes_posting", "job_posting_id"),
        Index("idx_swipes_created_at", "created_at"),
        Index(
            "idx_swipes_unscored",
            "user_id",
            postgresql_where=text(
                "match_score IS NULL OR confidence IS NULL OR match_factors IS NULL"
                " OR is_correct_match IS NULL"
            ),
        ),
    )


class ResumeTemplate(Timestamps, Base):
    __tablename__ = "resume_templates"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[e.TemplateCategory | None] = mapped_column(
        pg_enum(e.TemplateCategory), server_default="GENERAL"
    )
    content: Mapped[dict[str, Any]]
    sections: Mapped[dict[str, Any] | None]
    styling: Mapped[dict[str, Any] | None]
    industry: Mapped[str | None] = mapped_column(String(100))
    experience: Mapped[str | None] = mapped_column(String(50))
    job_types: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    quality_score: Mapped[float | None]
    downloads: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    ratings: Mapped[float | None]
    usage_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    success_rate: Mapped[float | None]
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=text("true"))
    is_premium: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    is_public: Mapped[bool | None] = mapped_column(Boolean, server_default=text("true"))


class Resume(Versioned, Base):
    __tablename__ = "resumes"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("resume_templates.id")
    )
    name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[dict[str, Any]]
    sections: Mapped[dict[str, Any] | None]
    pdf_url: Mapped[str | None]
    docx_url: Mapped[str | None]
    html_url: Mapped[str | None]
    last_generated: Mapped[dt.datetime | None]
    version: Mapped[int | None] = mapped_column(Integer, server_default=text("1"))
    parent_resume_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    is_default: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    ai_enhanced: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    enhancement_data: Mapped[dict[str, Any] | None]
    completeness: Mapped[float | None]
    readability_score: Mapped[float | None]
    keyword_match: Mapped[float | None]
    visibility: Mapped[e.ResumeVisibility | None] = mapped_column(
        pg_enum(e.ResumeVisibility), server_default="PRIVATE"
    )
    share_token: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (Index("idx_resumes_user", "user_id"),)


class ResumeEnhancement(Timestamps, Base):
    __tablename__ = "resume_enhancements"
    id: Mapped[uuid.UUID] = uuid_pk()
    resume_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("resumes.id", ondelete="CASCADE")
    )
    job_posting_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_postings.id")
    )
    type: Mapped[e.EnhancementType] = mapped_column(pg_enum(e.EnhancementType))
    description: Mapped[str]
    original_content: Mapped[dict[str, Any]]
    enhanced_content: Mapped[dict[str, Any]]
    changes: Mapped[dict[str, Any] | None]
    ai_model: Mapped[str | None] = mapped_column(String(100))
    prompt: Mapped[str | None]
    confidence: Mapped[float | None]
    is_applied: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    improved_match: Mapped[float | None]
    success_rate: Mapped[float | None]


class JobApplication(Versioned, Base):
    __tablename__ = "job_applications"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    job_posting_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_postings.id", ondelete="CASCADE")
    )
    resume_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("resumes.id")
    )
    status: Mapped[e.ApplicationStatus | None] = mapped_column(
        pg_enum(e.ApplicationStatus), server_default="DRAFT"
    )
    priority: Mapped[e.ApplicationPriority | None] = mapped_column(
        pg_enum(e.ApplicationPriority), server_default="MEDIUM"
    )
    source: Mapped[e.ApplicationSource | None] = mapped_column(
        pg_enum(e.ApplicationSource), server_default="MANUAL"
    )
    cover_letter: Mapped[str | None]
    custom_fields: Mapped[dict[str, Any] | None]
    notes: Mapped[str | None]
    applied_at: Mapped[dt.datetime | None]
    viewed_at: Mapped[dt.datetime | None]
    response_at: Mapped[dt.datetime | None]
    interview_at: Mapped[dt.datetime | None]
    follow_up_at: Mapped[dt.datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(255))
    ats_url: Mapped[str | None]
    confirmation_number: Mapped[str | None] = mapped_column(String(255))
    automation_status: Mapped[e.AutomationStatus | None] = mapped_column(
        pg_enum(e.AutomationStatus)
    )
    automation_attempts: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    automation_data: Mapped[dict[str, Any] | None]
    recruiter_name: Mapped[str | None] = mapped_column(String(255))
    recruiter_email: Mapped[str | None] = mapped_column(String(255))
    recruiter_phone: Mapped[str | None] = mapped_column(String(50))
    response_time: Mapped[int | None] = mapped_column(Integer)
    interview_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    match_score: Mapped[float | None]
    __table_args__ = (
        UniqueConstraint("user_id", "job_posting_id"),
        Index("idx_applications_user_status", "user_id", "status"),
        Index("idx_applications_timeline", "applied_at", "status"),
        Index("idx_applications_posting", "job_posting_id"),
        Index("idx_applications_created_at", "created_at"),
    )


class ApplicationQueue(Timestamps, Base):
    __tablename__ = "application_queue"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    job_posting_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_postings.id", ondelete="CASCADE")
    )
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_applications.id")
    )
    status: Mapped[e.QueueStatus | None] = mapped_column(
        pg_enum(e.QueueStatus), server_default="PENDING"
    )
    priority: Mapped[e.QueuePriority | None] = mapped_column(
        pg_enum(e.QueuePriority), server_default="NORMAL"
    )
    attempts: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    max_attempts: Mapped[int | None] = mapped_column(Integer, server_default=text("3"))
    scheduled_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    next_retry_at: Mapped[dt.datetime | None]
    use_custom_resume: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    resume_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    cover_letter: Mapped[str | None]
    custom_fields: Mapped[dict[str, Any] | None]
    automation_config: Mapped[dict[str, Any] | None]
    requires_captcha: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    captcha_solved: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    success: Mapped[bool | None] = mapped_column(Boolean)
    error_message: Mapped[str | None]
    error_type: Mapped[str | None] = mapped_column(String(100))
    response_data: Mapped[dict[str, Any] | None]
    desktop_session_id: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (
        Index("idx_queue_status_priority", "status", "priority", "scheduled_at"),
        Index("idx_queue_application", "application_id"),
    )


class AutomationLog(Base):
    __tablename__ = "automation_logs"
    id: Mapped[uuid.UUID] = uuid_pk()
    queue_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("application_queue.id", ondelete="CASCADE")
    )
    level: Mapped[e.LogLevel | None] = mapped_column(pg_enum(e.LogLevel), server_default="INFO")
    message: Mapped[str]
    details: Mapped[dict[str, Any] | None]
    step: Mapped[str | None] = mapped_column(String(100))
    element_selector: Mapped[str | None]
    action: Mapped[str | None] = mapped_column(String(50))
    error_type: Mapped[str | None] = mapped_column(String(100))
    stack_trace: Mapped[str | None]
    screenshot: Mapped[str | None]
    execution_time: Mapped[int | None] = mapped_column(Integer)
    memory_usage: Mapped[int | None] = mapped_column(BigInteger)
    browser_info: Mapped[dict[str, Any] | None]
    page_url: Mapped[str | None]
    created_at: Mapped[dt.datetime | None] = mapped_column(server_default=NOW_UTC)
    __table_args__ = (Index("idx_automation_logs_queue", "queue_id"),)


class ApplicationInteraction(Timestamps, Base):
    __tablename__ = "application_interactions"
    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    type: Mapped[e.InteractionType] = mapped_column(pg_enum(e.InteractionType))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None]
    outcome: Mapped[e.InteractionOutcome | None] = mapped_column(pg_enum(e.InteractionOutcome))
    contact_person: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_role: Mapped[str | None] = mapped_column(String(100))
    scheduled_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    duration: Mapped[int | None] = mapped_column(Integer)
    agenda: Mapped[str | None]
    notes: Mapped[str | None]
    feedback: Mapped[str | None]
    next_steps: Mapped[str | None]
    attachments: Mapped[dict[str, Any] | None]
    requires_follow_up: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    follow_up_date: Mapped[dt.datetime | None]
    follow_up_completed: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    __table_args__ = (Index("idx_interactions_application", "application_id"),)


class Subscription(Versioned, Base):
    __tablename__ = "subscriptions"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    plan: Mapped[e.SubscriptionPlan | None] = mapped_column(
        pg_enum(e.SubscriptionPlan), server_default="FREE"
    )
    status: Mapped[e.SubscriptionStatus | None] = mapped_column(
        pg_enum(e.SubscriptionStatus), server_default="ACTIVE"
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    current_period_start: Mapped[dt.datetime | None]
    current_period_end: Mapped[dt.datetime | None]
    cancel_at_period_end: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    trial_start: Mapped[dt.datetime | None]
    trial_end: Mapped[dt.datetime | None]
    trial_used: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    monthly_applications: Mapped[int | None] = mapped_column(Integer)
    resume_templates: Mapped[int | None] = mapped_column(Integer)
    priority_support: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    last_payment_at: Mapped[dt.datetime | None]
    last_payment_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    next_billing_date: Mapped[dt.datetime | None]
    __table_args__ = (UniqueConstraint("user_id"),)


class UsageRecord(Base):
    __tablename__ = "usage_records"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("subscriptions.id")
    )
    feature: Mapped[e.UsageFeature] = mapped_column(pg_enum(e.UsageFeature))
    count: Mapped[int | None] = mapped_column(Integer, server_default=text("1"))
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB)
    session_id: Mapped[str | None] = mapped_column(String(255))
    device_type: Mapped[str | None] = mapped_column(String(50))
    ip_address: Mapped[str | None] = mapped_column(INET)
    date: Mapped[dt.date | None] = mapped_column(server_default=text("CURRENT_DATE"))
    hour: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime | None] = mapped_column(server_default=NOW_UTC)
    __table_args__ = (UniqueConstraint("user_id", "feature", "date"),)


class AuditLog(Base):
    """Range-partitioned by quarter on created_at (audit_logs_2024q1, ...)."""

    __tablename__ = "audit_logs"
    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), server_default=text("gen_random_uuid()")
    )
    user_id: Mapped[uuid.UUID | None] = user_fk(ondelete="SET NULL")
    actor_type: Mapped[e.ActorType | None] = mapped_column(
        pg_enum(e.ActorType), server_default="USER"
    )
    actor_id: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(255))
    resource_id: Mapped[str | None] = mapped_column(String(255))
    method: Mapped[str | None] = mapped_column(String(10))
    endpoint: Mapped[str | None]
    status_code: Mapped[int | None] = mapped_column(Integer)
    ip_address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None]
    session_id: Mapped[str | None] = mapped_column(String(255))
    old_values: Mapped[dict[str, Any] | None]
    new_values: Mapped[dict[str, Any] | None]
    risk_level: Mapped[e.RiskLevel | None] = mapped_column(
        pg_enum(e.RiskLevel), server_default="LOW"
    )
    risk_factors: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    data_category: Mapped[str | None] = mapped_column(String(100))
    legal_basis: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    __table_args__ = (
        PrimaryKeyConstraint("id", "created_at"),
        Index("idx_audit_logs_user", "user_id"),
        {"postgresql_partition_by": "RANGE (created_at)"},
    )


class UserNotification(Timestamps, Base):
    __tablename__ = "user_notifications"
    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID | None] = user_fk()
    type: Mapped[e.NotificationType] = mapped_column(pg_enum(e.NotificationType))
    title: Mapped[str] = mapped_column(String(255))
    message: Mapped[str]
    action_url: Mapped[str | None]
    channel: Mapped[e.NotificationChannel | None] = mapped_column(
        pg_enum(e.NotificationChannel), server_default="IN_APP"
    )
    priority: Mapped[e.NotificationPriority | None] = mapped_column(
        pg_enum(e.NotificationPriority), server_default="NORMAL"
    )
    status: Mapped[e.NotificationStatus | None] = mapped_column(
        pg_enum(e.NotificationStatus), server_default="UNREAD"
    )
    read_at: Mapped[dt.datetime | None]
    clicked_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
    failed_at: Mapped[dt.datetime | None]
    error_message: Mapped[str | None]
    scheduled_for: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    __table_args__ = (Index("idx_notifications_user", "user_id"),)


class AnalyticsEvent(Base):
    """Range-partitioned by month on "timestamp" (analytics_events_y2024m01, ...)."""

    __tablename__ = "analytics_events"
    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), server_default=text("gen_random_uuid()")
    )
    user_id: Mapped[uuid.UUID | None] = user_fk(ondelete="SET NULL")
    event_type: Mapped[str] = mapped_column(String(100))
    event_category: Mapped[str] = mapped_column(String(100))
    event_name: Mapped[str] = mapped_column(String(100))
    properties: Mapped[dict[str, Any] | None]
    traits: Mapped[dict[str, Any] | None]
    session_id: Mapped[str | None] = mapped_column(String(255))
    device_type: Mapped[str | None] = mapped_column(String(50))
    platform: Mapped[str | None] = mapped_column(String(50))
    ip_address: Mapped[str | None] = mapped_column(INET)
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    user_agent: Mapped[str | None]
    referrer: Mapped[str | None]
    page_url: Mapped[str | None]
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    timestamp: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    processing_time: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        PrimaryKeyConstraint("id", "timestamp"),
        Index("idx_analytics_user_type", "user_id", "event_type"),
        Index("idx_analytics_timestamp", "timestamp"),
        {"postgresql_partition_by": 'RANGE ("timestamp")'},
    )


class SystemSetting(Base):
    __tablename__ = "system_settings"
    id: Mapped[uuid.UUID] = uuid_pk()
    key: Mapped[str] = mapped_column(String(255), unique=True)
    value: Mapped[str]
    type: Mapped[e.SettingType | None] = mapped_column(
        pg_enum(e.SettingType), server_default="STRING"
    )
    category: Mapped[str | None] = mapped_column(String(100), server_default="general")
    description: Mapped[str | None]
    is_public: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    is_encrypted: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    validation_rule: Mapped[str | None]
    default_value: Mapped[str | None]
    updated_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    updated_at: Mapped[dt.datetime | None] = mapped_column(server_default=NOW_UTC)


SEED_TABLES: tuple[str, ...] = (
    "users", "user_profiles", "user_preferences", "user_job_swipes", "companies", "job_postings",
    "resume_templates", "resumes", "resume_enhancements", "application_queue", "automation_logs",
    "job_applications", "application_interactions", "subscriptions", "usage_records", "audit_logs",
    "user_notifications", "analytics_events", "system_settings",
)  # fmt: skip


# ------------------------------------------------------------------ platform tables


class SimulationBatch(Base):
    """Ledger of simulated months (migration 0002)."""

    __tablename__ = "simulation_batches"
    world_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seed: Mapped[int] = mapped_column(Integer)
    scale: Mapped[str] = mapped_column(String(16))
    month: Mapped[dt.date] = mapped_column(primary_key=True)
    row_counts: Mapped[dict[str, Any]]
    duration_seconds: Mapped[float]
    written_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)


class IngestFile(Base):
    """Every file offered to ingestion, by content hash (migration 0003)."""

    __tablename__ = "ingest_files"
    id: Mapped[uuid.UUID] = uuid_pk()
    file_name: Mapped[str]
    file_hash: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str | None] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(
        SAEnum("LOADED", "FAILED", name="ingest_file_status", create_type=False)
    )
    rows_read: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rows_loaded: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rows_rejected: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    postings_inserted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    postings_updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    postings_linked: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    companies_inserted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    error: Mapped[str | None]
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    duration_seconds: Mapped[float]


class IngestReject(Base):
    """Quarantined rows with their reason (migration 0003)."""

    __tablename__ = "ingest_rejects"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    ingest_file_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("ingest_files.id", ondelete="CASCADE")
    )
    file_name: Mapped[str]
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str]
    raw_record: Mapped[dict[str, Any] | None]
    rejected_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    __table_args__ = (Index("idx_ingest_rejects_file", "ingest_file_id"),)


class JobPostingSource(Base):
    """One (source, external key) sighting of a posting (migration 0003)."""

    __tablename__ = "job_posting_sources"
    source: Mapped[e.JobSource] = mapped_column(pg_enum(e.JobSource), primary_key=True)
    external_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    job_posting_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_postings.id", ondelete="CASCADE")
    )
    external_id: Mapped[str | None] = mapped_column(String(255))
    source_url: Mapped[str | None]
    is_primary: Mapped[bool] = mapped_column(Boolean)
    first_seen_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    ingest_file_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("ingest_files.id", ondelete="SET NULL")
    )
    # What the sighting stated about its employer (migration 0007).
    employer_name: Mapped[str | None] = mapped_column(String(255))
    employer_slug: Mapped[str | None] = mapped_column(String(255))
    claimed_domain: Mapped[str | None] = mapped_column(String(255))
    __table_args__ = (
        Index("idx_posting_sources_posting", "job_posting_id"),
        Index(
            "idx_posting_sources_claimed_domain",
            "claimed_domain",
            postgresql_where=text("claimed_domain IS NOT NULL"),
        ),
    )


class BoardDomain(Base):
    """A domain found by data to name many employers: a board, never a company (migration 0007)."""

    __tablename__ = "board_domains"
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    employers: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str]
    learned_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)


class ModelVersion(Base):
    """A trained match-score model (migration 0004)."""

    __tablename__ = "model_registry"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trained_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    train_start: Mapped[dt.date]
    train_end: Mapped[dt.date]
    validation_month: Mapped[dt.date]
    training_rows: Mapped[int] = mapped_column(Integer)
    validation_rows: Mapped[int] = mapped_column(Integer)
    features: Mapped[list[Any]]
    metrics: Mapped[dict[str, Any]]
    status: Mapped[e.ModelStatus] = mapped_column(
        pg_enum(e.ModelStatus), server_default="CANDIDATE"
    )
    promoted_at: Mapped[dt.datetime | None]
    decision: Mapped[str | None]
    artifact: Mapped[bytes]
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    swipes_scored_at: Mapped[dt.datetime | None]
    __table_args__ = (
        Index(
            "idx_model_registry_one_champion",
            "status",
            unique=True,
            postgresql_where=text("status = 'CHAMPION'"),
        ),
    )


class Recommendation(Base):
    """A user's ranked, unseen postings, as the app's feed reads them (migration 0004)."""

    __tablename__ = "recommendations"
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    job_posting_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("job_postings.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float]
    rank: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[int] = mapped_column(Integer, ForeignKey("model_registry.version"))
    generated_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    # Deferrable: checked at the end of the statement, so a refresh can reorder a list in place.
    __table_args__ = (UniqueConstraint("user_id", "rank", deferrable=True, initially="IMMEDIATE"),)


class ScoringShardRun(Base):
    """A shard the model version has fully rescored (migration 0009)."""

    __tablename__ = "scoring_shard_runs"
    model_version: Mapped[int] = mapped_column(
        Integer, ForeignKey("model_registry.version", ondelete="CASCADE"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    scored_at: Mapped[dt.datetime]
    __table_args__ = (CheckConstraint("shard >= 0"),)


class PipelineRunFailure(Base):
    """A failed Dagster run, recorded by the run-failure sensor (migration 0009)."""

    __tablename__ = "pipeline_run_failures"
    run_id: Mapped[str] = mapped_column(Text, primary_key=True)
    job_name: Mapped[str] = mapped_column(Text)
    partition_key: Mapped[str | None] = mapped_column(Text)
    step_key: Mapped[str | None] = mapped_column(Text)
    error_summary: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[dt.datetime]
    recorded_at: Mapped[dt.datetime] = mapped_column(server_default=NOW_UTC)
    alert_sent_at: Mapped[dt.datetime | None]
    alert_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("idx_run_failures_failed_at", "failed_at"),)
