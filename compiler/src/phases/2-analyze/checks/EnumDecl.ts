// `enum Name { A, B }`: members unique; the enum joins the member index used to resolve bare members.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { present, type Context } from '../context.ts';
import type { EnumType } from '../types.ts';

export function checkEnumDecl(ctx: Context, decl: ast.EnumDecl, register: boolean): void {
  const members: string[] = [];
  for (const member of decl.members) {
    if (!present(member)) continue;
    if (members.includes(member.name)) {
      ctx.report.add('enum_member_duplicate', member.span, member.name, decl.name.name);
      continue;
    }
    members.push(member.name);
  }
  if (!register) return;
  const type: EnumType = { kind: 'enum', name: decl.name.name, members };
  ctx.enums.set(type.name, type);
  for (const member of members) {
    const owners = ctx.enumsByMember.get(member);
    if (owners === undefined) ctx.enumsByMember.set(member, [type]);
    else owners.push(type);
  }
}
