"""The schema's PostgreSQL enum types as Python enums (labels are the source of truth in 0001 SQL).

Simulator, ingestion and the ML write-back validate against these, and a test checks that they
match the labels in the database exactly.
"""

from __future__ import annotations

from enum import StrEnum


class UserRole(StrEnum):
    USER = "USER"
    PREMIUM_USER = "PREMIUM_USER"
    ADMIN = "ADMIN"
    SUPER_ADMIN = "SUPER_ADMIN"


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUSPENDED = "SUSPENDED"
    BANNED = "BANNED"


class ProfileVisibility(StrEnum):
    PUBLIC = "PUBLIC"
    RECRUITERS_ONLY = "RECRUITERS_ONLY"
    PRIVATE = "PRIVATE"


class RemotePreference(StrEnum):
    REMOTE_ONLY = "REMOTE_ONLY"
    HYBRID = "HYBRID"
    ONSITE = "ONSITE"
    NO_PREFERENCE = "NO_PREFERENCE"


class SwipeDirection(StrEnum):
    LEFT = "LEFT"
    RIGHT = "RIGHT"
    SUPER_LIKE = "SUPER_LIKE"


class CompanySize(StrEnum):
    STARTUP = "STARTUP"
    SMALL = "SMALL"
    MEDIUM = "MEDIUM"
    LARGE = "LARGE"
    ENTERPRISE = "ENTERPRISE"


class CompanyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    PENDING_VERIFICATION = "PENDING_VERIFICATION"
    SUSPENDED = "SUSPENDED"


class JobType(StrEnum):
    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"
    CONTRACT = "CONTRACT"
    TEMPORARY = "TEMPORARY"
    INTERNSHIP = "INTERNSHIP"
    FREELANCE = "FREELANCE"


class JobLevel(StrEnum):
    ENTRY = "ENTRY"
    JUNIOR = "JUNIOR"
    MID = "MID"
    SENIOR = "SENIOR"
    LEAD = "LEAD"
    PRINCIPAL = "PRINCIPAL"
    EXECUTIVE = "EXECUTIVE"


class JobCategory(StrEnum):
    ENGINEERING = "ENGINEERING"
    DATA = "DATA"
    DESIGN = "DESIGN"
    PRODUCT = "PRODUCT"
    MARKETING = "MARKETING"
    SALES = "SALES"
    CUSTOMER_SUPPORT = "CUSTOMER_SUPPORT"
    OPERATIONS = "OPERATIONS"
    FINANCE = "FINANCE"
    HR = "HR"
    LEGAL = "LEGAL"
    HEALTHCARE = "HEALTHCARE"
    EDUCATION = "EDUCATION"
    OTHER = "OTHER"


class RemoteType(StrEnum):
    ONSITE = "ONSITE"
    REMOTE = "REMOTE"
    HYBRID = "HYBRID"


class SalaryType(StrEnum):
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


class JobSource(StrEnum):
    MANUAL = "MANUAL"
    LINKEDIN = "LINKEDIN"
    INDEED = "INDEED"
    GLASSDOOR = "GLASSDOOR"
    ZIPRECRUITER = "ZIPRECRUITER"
    GOOGLE = "GOOGLE"
    GREENHOUSE = "GREENHOUSE"
    LEVER = "LEVER"
    COMPANY_WEBSITE = "COMPANY_WEBSITE"
    IMPORT = "IMPORT"
    OTHER = "OTHER"


class JobStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    CLOSED = "CLOSED"
    EXPIRED = "EXPIRED"
    FILLED = "FILLED"


class TemplateCategory(StrEnum):
    GENERAL = "GENERAL"
    TECHNOLOGY = "TECHNOLOGY"
    CREATIVE = "CREATIVE"
    BUSINESS = "BUSINESS"
    EXECUTIVE = "EXECUTIVE"
    ACADEMIC = "ACADEMIC"
    ENTRY_LEVEL = "ENTRY_LEVEL"
    HEALTHCARE = "HEALTHCARE"


class ResumeVisibility(StrEnum):
    PRIVATE = "PRIVATE"
    PUBLIC = "PUBLIC"
    LINK_ONLY = "LINK_ONLY"


class EnhancementType(StrEnum):
    KEYWORD_OPTIMIZATION = "KEYWORD_OPTIMIZATION"
    CONTENT_IMPROVEMENT = "CONTENT_IMPROVEMENT"
    FORMATTING = "FORMATTING"
    SKILLS_HIGHLIGHT = "SKILLS_HIGHLIGHT"
    SUMMARY_REWRITE = "SUMMARY_REWRITE"
    ACHIEVEMENT_QUANTIFICATION = "ACHIEVEMENT_QUANTIFICATION"
    JOB_TAILORING = "JOB_TAILORING"


class QueueStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    RETRYING = "RETRYING"
    CANCELLED = "CANCELLED"


class QueuePriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"
    FATAL = "FATAL"


class ApplicationStatus(StrEnum):
    DRAFT = "DRAFT"
    QUEUED = "QUEUED"
    APPLIED = "APPLIED"
    VIEWED = "VIEWED"
    SCREENING = "SCREENING"
    INTERVIEW = "INTERVIEW"
    OFFER = "OFFER"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class ApplicationPriority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class ApplicationSource(StrEnum):
    MANUAL = "MANUAL"
    AUTOMATION = "AUTOMATION"
    SWIPE = "SWIPE"
    REFERRAL = "REFERRAL"
    EXTERNAL = "EXTERNAL"


class AutomationStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    NEEDS_REVIEW = "NEEDS_REVIEW"


class InteractionType(StrEnum):
    EMAIL = "EMAIL"
    PHONE_SCREEN = "PHONE_SCREEN"
    VIDEO_CALL = "VIDEO_CALL"
    TECHNICAL_INTERVIEW = "TECHNICAL_INTERVIEW"
    ONSITE_INTERVIEW = "ONSITE_INTERVIEW"
    ASSESSMENT = "ASSESSMENT"
    OFFER = "OFFER"
    REJECTION = "REJECTION"
    FOLLOW_UP = "FOLLOW_UP"
    NOTE = "NOTE"


class InteractionOutcome(StrEnum):
    POSITIVE = "POSITIVE"
    NEUTRAL = "NEUTRAL"
    NEGATIVE = "NEGATIVE"
    PENDING = "PENDING"
    NO_SHOW = "NO_SHOW"
    RESCHEDULED = "RESCHEDULED"


class SubscriptionPlan(StrEnum):
    FREE = "FREE"
    BASIC = "BASIC"
    PRO = "PRO"
    ENTERPRISE = "ENTERPRISE"


class SubscriptionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    TRIALING = "TRIALING"
    PAST_DUE = "PAST_DUE"
    CANCELED = "CANCELED"
    UNPAID = "UNPAID"
    EXPIRED = "EXPIRED"


class UsageFeature(StrEnum):
    SWIPE = "SWIPE"
    SUPER_LIKE = "SUPER_LIKE"
    APPLICATION = "APPLICATION"
    AUTO_APPLICATION = "AUTO_APPLICATION"
    RESUME_ENHANCEMENT = "RESUME_ENHANCEMENT"
    RESUME_TEMPLATE = "RESUME_TEMPLATE"
    RESUME_DOWNLOAD = "RESUME_DOWNLOAD"


class ActorType(StrEnum):
    USER = "USER"
    ADMIN = "ADMIN"
    SYSTEM = "SYSTEM"
    API = "API"
    AUTOMATION = "AUTOMATION"


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class NotificationType(StrEnum):
    JOB_MATCH = "JOB_MATCH"
    APPLICATION_UPDATE = "APPLICATION_UPDATE"
    INTERVIEW_REMINDER = "INTERVIEW_REMINDER"
    SUBSCRIPTION = "SUBSCRIPTION"
    SYSTEM = "SYSTEM"
    SECURITY = "SECURITY"
    MARKETING = "MARKETING"


class NotificationChannel(StrEnum):
    IN_APP = "IN_APP"
    EMAIL = "EMAIL"
    PUSH = "PUSH"
    SMS = "SMS"


class NotificationPriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class NotificationStatus(StrEnum):
    UNREAD = "UNREAD"
    READ = "READ"
    ARCHIVED = "ARCHIVED"
    DISMISSED = "DISMISSED"


class SettingType(StrEnum):
    STRING = "STRING"
    INTEGER = "INTEGER"
    FLOAT = "FLOAT"
    BOOLEAN = "BOOLEAN"
    JSON = "JSON"


# PostgreSQL type name -> Python enum, for every enum type the schema defines.
PG_ENUMS: dict[str, type[StrEnum]] = {
    "user_role": UserRole,
    "user_status": UserStatus,
    "profile_visibility": ProfileVisibility,
    "remote_preference": RemotePreference,
    "swipe_direction": SwipeDirection,
    "company_size": CompanySize,
    "company_status": CompanyStatus,
    "job_type": JobType,
    "job_level": JobLevel,
    "job_category": JobCategory,
    "remote_type": RemoteType,
    "salary_type": SalaryType,
    "job_source": JobSource,
    "job_status": JobStatus,
    "template_category": TemplateCategory,
    "resume_visibility": ResumeVisibility,
    "enhancement_type": EnhancementType,
    "queue_status": QueueStatus,
    "queue_priority": QueuePriority,
    "log_level": LogLevel,
    "application_status": ApplicationStatus,
    "application_priority": ApplicationPriority,
    "application_source": ApplicationSource,
    "automation_status": AutomationStatus,
    "interaction_type": InteractionType,
    "interaction_outcome": InteractionOutcome,
    "subscription_plan": SubscriptionPlan,
    "subscription_status": SubscriptionStatus,
    "usage_feature": UsageFeature,
    "actor_type": ActorType,
    "risk_level": RiskLevel,
    "notification_type": NotificationType,
    "notification_channel": NotificationChannel,
    "notification_priority": NotificationPriority,
    "notification_status": NotificationStatus,
    "setting_type": SettingType,
}


class IngestFileStatus(StrEnum):
    LOADED = "LOADED"
    FAILED = "FAILED"


class ModelStatus(StrEnum):
    CANDIDATE = "CANDIDATE"
    CHAMPION = "CHAMPION"
    RETIRED = "RETIRED"
    REJECTED = "REJECTED"


# Enum types the platform adds beyond the seed (migrations 0002+).
PLATFORM_ENUMS: dict[str, type[StrEnum]] = {
    "ingest_file_status": IngestFileStatus,
    "model_status": ModelStatus,
}
