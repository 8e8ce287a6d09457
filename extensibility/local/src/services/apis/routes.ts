// Routes matched as API Gateway matches them: an exact path beats a parameterised one, which beats a
// greedy {proxy+}, which beats $default; among equals, a method beats ANY.
import type { RouteConfig } from './model.js';

export interface CompiledRoute {
  route: RouteConfig;
  regex: RegExp | undefined;
  names: string[];
  /** 0 exact, 1 parameterised, 2 greedy, 3 $default: lower wins. */
  rank: number;
  segments: number;
}

/** A route that matched a request, with its path parameters. */
export interface Match {
  compiled: CompiledRoute;
  params: Record<string, string>;
}

/** A route's path as a regular expression, with its parameter names and specificity. */
function compile(route: RouteConfig): CompiledRoute {
  if (route.path === '$default') return { route, regex: undefined, names: [], rank: 3, segments: 0 };
  const names: string[] = [];
  let rank = 0;
  const parts = route.path.split('/').filter((s) => s !== '');
  const source = parts
    .map((part) => {
      const greedy = /^\{(.+)\+\}$/.exec(part);
      if (greedy) {
        names.push(greedy[1]!);
        rank = 2;
        return '(?:/(.+))';
      }
      const param = /^\{(.+)\}$/.exec(part);
      if (param) {
        names.push(param[1]!);
        rank = Math.max(rank, 1);
        return '/([^/]+)';
      }
      return '/' + part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { route, regex: new RegExp(`^${source || '/'}/?$`), names, rank, segments: parts.length };
}

/** Most specific first, as matchRoute expects them. */
export function compileRoutes(routes: RouteConfig[]): CompiledRoute[] {
  return routes.map(compile).sort((a, b) => a.rank - b.rank || b.segments - a.segments);
}

/** The route API Gateway picks for a method and path, with its path parameters. */
export function matchRoute(routes: CompiledRoute[], method: string, path: string): Match | undefined {
  const candidates: Match[] = [];
  for (const compiled of routes) {
    const m = compiled.regex ? compiled.regex.exec(path) : [path];
    if (!m) continue;
    const params: Record<string, string> = {};
    compiled.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
    candidates.push({ compiled, params });
  }
  // Routes are ordered by specificity; within the first specificity that matches, a method wins over ANY.
  for (const c of candidates) {
    const rank = c.compiled.rank;
    const same = candidates.filter((o) => o.compiled.rank === rank && o.compiled.segments === c.compiled.segments);
    const exact = same.find((o) => o.compiled.route.method.toUpperCase() === method.toUpperCase());
    const any = same.find((o) => o.compiled.route.method.toUpperCase() === 'ANY');
    if (exact ?? any) return exact ?? any;
  }
  return undefined;
}
