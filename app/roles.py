"""The roles of domain.md: the lanes of the diagrams and the groups of the inbox."""
ROLES: dict[str, tuple[str, str]] = {
    "customer_dept": ("Customer relations", "客户部"),
    "service_manager": ("After-sales service manager", "售后服务经理"),
    "workshop_supervisor": ("Workshop supervisor", "车间主管"),
    "technical_supervisor": ("Technical supervisor", "技术主管"),
    "business_supervisor": ("Business supervisor", "业务主管"),
    "parts_manager": ("Parts manager", "配件经理"),
    "claims_supervisor": ("Warranty-claims supervisor", "索赔主管"),
    "general_manager": ("General manager", "总经理"),
    "branch_engineer": ("Branch repair engineer", "分公司维修工程师"),
    "branch_manager": ("Branch manager", "分公司经理"),
    "department_head": ("Head of customer service", "客户服务部部长"),
    "logistics_clerk": ("Logistics clerk", "后勤专员"),
    "repair_technician": ("Repair team", "维修组"),
    "process_owner": ("Process owner", "流程负责人"),
    "admin": ("Administrator", "系统管理员"),
    "group_supervisor": ("Group after-sales supervisor", "集团售后督导"),
    "customer_dept_manager": ("Head of customer relations", "客户部经理"),
    "service_advisor": ("Service advisor", "服务顾问"),
    "field_service_supervisor": ("Field service supervisor", "驻外客服主管"),
    "provincial_manager": ("Provincial manager", "省区经理"),
    "dealer_agent": ("Dealer or agent", "代理商"),
    "quality_assurance": ("Quality assurance", "品保部"),
    "pmc": ("Production planning (PMC)", "生产计划部"),
}

# The departments a complaint can be assigned to (category "other" names one of them).
DEPARTMENT_ROLES = ["workshop_supervisor", "business_supervisor", "parts_manager", "claims_supervisor"]


def role_label(key: str, lang: str) -> str:
    en, zh = ROLES.get(key, (key, key))
    return en if lang == "en" else zh
