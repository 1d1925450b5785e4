"""site.yaml: who publishes this site, and departments.yaml: the registry of units."""

from __future__ import annotations

import re
from typing import Literal, Optional

from generator.kinds.base import Phone, Record, Slug, Text, WebUrl, label


class Contact(Record):
    phone: Optional[Phone] = label("联系电话")
    email: Optional[str] = label("电子邮箱")
    address: Optional[str] = label("通讯地址")


class Identifiers(Record):
    """The registrations a Chinese government site shows in its footer (国办发〔2017〕47号)."""

    website_code: Optional[Text] = label("网站标识码", "政府网站标识码，例如 2102000001")
    icp: Optional[Text] = label("ICP备案号", "例如 辽ICP备05012345号")
    public_security: Optional[Text] = label("公安机关备案号", "例如 辽公网安备21020202000123号")


class SearchSettings(Record):
    """search.yaml (optional): how the site's search understands what people type."""

    synonyms: Optional[list[list[Text]]] = label(
        "同义词", "每组是一串意思相同的词，例如 [开小馆子, 开办餐饮店, 食品经营许可]；在产品自带的常用说法之外补充")


class SiteInfo(Record):
    name: Text = label("网站名称", "网站标题，例如 大连市营商环境公开平台", required=True)
    region: Text = label("行政区域", "网站覆盖的政府，例如 大连市", required=True)
    publisher: Text = label("发布机关", "发布本网站的机关，例如 大连市营商环境建设局；未填写主办单位时页脚以它为主办单位",
                            required=True)
    base_url: Optional[WebUrl] = label("网站地址", "正式发布的网址，用于站点地图、订阅和永久链接")
    contact: Optional[Contact] = label("联系方式", "页脚显示的电话、邮箱、地址")
    license: Optional[str] = label("数据许可", "开放数据下载的许可协议")
    complaint_hotline: Optional[Phone] = label("投诉热线", "页脚显示的投诉热线，例如 12345")
    sponsor: Optional[Text] = label("主办单位", "每页页脚显示的主办单位，未填写时为发布机关（publisher）")
    operator: Optional[Text] = label("承办单位", "每页页脚显示的承办单位，例如 大连市大数据中心")
    identifiers: Optional[Identifiers] = label("网站标识与备案", "页脚显示的网站标识码、ICP备案号、公安机关备案号")


def tel_url(phone: str) -> str | None:
    """The `tel:` URL of the first phone number in a text as editors write it
    ("0411-39026100", "12345", "0411 3902 6100（工作日）"), or None if it holds none."""
    match = re.search(r"\+?\d[\d -]*\d", phone)
    return "tel:" + match.group().replace(" ", "") if match else None


class Department(Record):
    id: Slug = label("部门标识", "稳定的英文小写标识 [a-z0-9-]+，用于网址和 powers/ 下的文件名", required=True)
    name: Text = label("部门全称", "例如 大连市市场监督管理局", required=True)
    short_name: Optional[str] = label("部门简称", "例如 市市场监管局")
    region: Text = label("所属区域", "“市本级”或区县名称，例如 金普新区", required=True)
    kind: Optional[Literal["市直部门", "区县部门", "园区", "垂直管理", "其他"]] = label("部门类型")
    parent: Optional[Text] = label("上级部门", "上级部门的标识（不写名称）")
    phone: Optional[Phone] = label("服务电话", "办公电话或服务热线，不填手机号码")
    supervision_phone: Optional[Phone] = label("监督电话", "办公电话或服务热线，不填手机号码")
    address: Optional[str] = label("办公地址")
    website: Optional[WebUrl] = label("部门网站")

    @property
    def display_name(self) -> str:
        return self.name
